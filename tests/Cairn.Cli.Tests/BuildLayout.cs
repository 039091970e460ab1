namespace Cairn.Cli.Tests;

/// <summary>Where the repository and the cairn built alongside these tests are: the tests' own output path says
/// which configuration was built, and the solution file marks the repository root.</summary>
internal static class BuildLayout
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string FindCairnDll()
    {
        var dll = Path.Combine(RepositoryRoot, "src", "Cairn.Cli", "bin", Configuration(), "net10.0", "cairn.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"cairn is not built at {dll}; build tests/Cairn.Cli.Tests first", dll);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Cairn.slnx above {AppContext.BaseDirectory}");
    }

    // The tests run from .../bin/<Configuration>/net10.0/, and cairn was built with the same configuration.
    private static string Configuration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length
            ? parts[bin + 1]
            : throw new InvalidOperationException($"cannot tell the build configuration from {AppContext.BaseDirectory}");
    }
}
