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

    /// <summary>Loads the file; errors and warnings name it as the user gave it (relative paths stay relative).</summary>
    public static PipelineLoadResult Load(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var location = new SourceLocation(DisplayName(file), 1, 1);
            return new PipelineLoadResult(null, [new PipelineError(location, $"cannot read the file: {ex.Message}")], []);
        }

        return PipelineLoader.Load(text, DisplayName(file));
    }

    private static string DisplayName(string file)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
