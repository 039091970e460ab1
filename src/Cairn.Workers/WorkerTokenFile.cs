namespace Cairn.Workers;

/// <summary>Reads a worker's token from its file.</summary>
public static class WorkerTokenFile
{
    /// <summary>The token (trimmed), or null with why not; <paramref name="warning"/> says when others may read the file.</summary>
    public static string? Read(string path, out string? problem, out string? warning)
    {
        ArgumentNullException.ThrowIfNull(path);
        problem = warning = null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex is FileNotFoundException or DirectoryNotFoundException
                ? $"--token-file: {path} does not exist"
                : $"--token-file: {path} cannot be read: {ex.Message}";
            return null;
        }

        var token = text.Trim();
        if (token.Length == 0)
        {
            problem = $"--token-file: {path} is empty";
            return null;
        }

        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            warning = $"{path} is readable by other users: anyone who reads it can take this worker's jobs and their secrets (chmod 600 it)";
        }

        return token;
    }
}
