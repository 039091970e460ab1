using Cairn.Core.Pipelines;

namespace Cairn.Cli;

/// <summary>Finds and loads the pipeline a command was pointed at: a <c>.cairn.yml</c> file, or a directory holding one.</summary>
internal static class PipelineFile
{
    private static readonly string[] FileNames = [PipelineLoader.DefaultFileName, ".cairn.yaml"];

    /// <summary>The pipeline file for <paramref name="path"/>, or an error a person can act on.</summary>
    public static (string? File, string? Error) Locate(string path)
    {
        if (File.Exists(path))
        {
            return (Path.GetFullPath(path), null);
        }

        if (!Directory.Exists(path))
        {
            return (null, $"{path}: no such file or directory");
        }

        foreach (var name in FileNames)
        {
            var candidate = Path.Combine(path, name);
            if (File.Exists(candidate))
            {
                return (Path.GetFullPath(candidate), null);
            }
        }

        return (null, $"{path}: no {PipelineLoader.DefaultFileName} in this directory");
    }

    /// <summary>Loads the file; errors and warnings name it as the user gave it (relative paths stay relative). A file
    /// over <see cref="PipelineLoader.DefaultMaxBytes"/> is refused unread, as the server refuses it.</summary>
    public static PipelineLoadResult Load(string file, long maxBytes = PipelineLoader.DefaultMaxBytes)
    {
        var location = new SourceLocation(DisplayName(file), 1, 1);
        string text;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > maxBytes)
            {
                return Refused(location, PipelineLoader.TooLarge("the file", stream.Length, maxBytes));
            }

            // Read no more than the limit and one byte, in case the file grew meanwhile.
            using var held = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1 - held.Length))) > 0)
            {
                held.Write(buffer, 0, read);
            }

            if (held.Length > maxBytes)
            {
                return Refused(location, PipelineLoader.TooLarge("the file", null, maxBytes));
            }

            held.Position = 0;
            using var reader = new StreamReader(held, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Refused(location, $"cannot read the file: {ex.Message}");
        }

        return PipelineLoader.Load(text, DisplayName(file));
    }

    private static PipelineLoadResult Refused(SourceLocation location, string message) =>
        new(null, [new PipelineError(location, message)], []);

    private static string DisplayName(string file)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
