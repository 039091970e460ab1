using Cairn.Core.Runners;

namespace Cairn.Cli.Commands;

/// <summary>The <c>--runners FILE</c> of <c>cairn run</c> and <c>cairn worker</c>.</summary>
internal static class RunnerFile
{
    /// <summary>The catalog in <paramref name="path"/>, or the built-in rule without one; null when the file is bad,
    /// after every error has been written to <paramref name="stderr"/>.</summary>
    public static async Task<RunnerCatalog?> LoadAsync(string? path, TextWriter stderr)
    {
        if (path is null)
        {
            return RunnerCatalog.BuiltIn;
        }

        var loaded = RunnerCatalogLoader.LoadFile(path);
        foreach (var error in loaded.Errors)
        {
            await stderr.WriteLineAsync(error.ToString());
        }

        return loaded.IsValid ? loaded.Catalog : null;
    }
}
