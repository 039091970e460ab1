namespace Cairn.Cli.Commands.Client;

/// <summary>A secret read from a file or stdin (<c>-</c>), never from an argument, which anyone on the machine can
/// read in the process list.</summary>
internal static class SecretInput
{
    /// <summary>The file's contents without one trailing newline (what <c>echo</c> and editors add), or an error
    /// naming <paramref name="what"/> and the file. An empty secret is an error.</summary>
    public static async Task<(string? Value, string? Error)> ReadAsync(string path, string what, TextReader stdin, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = path == "-" ? await stdin.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot read {what} from {path}: {ex.Message}");
        }

        var value = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
            : text.EndsWith('\n') ? text[..^1]
            : text;
        return value.Length == 0
            ? (null, $"{what} from {(path == "-" ? "stdin" : path)} is empty")
            : (value, null);
    }
}
