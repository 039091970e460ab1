namespace Cairn.Core.Pipelines;

/// <summary>The rules for paths a pipeline names inside a job's workspace (artifact globs, <c>hashFiles()</c> globs) and
/// for the folders a cache keeps (in the workspace or under the steps' home): none may leave where it belongs.</summary>
internal static class WorkspacePaths
{
    /// <summary>What is wrong with a glob relative to the workspace, said to follow its quoted text; null when it is fine.</summary>
    public static string? GlobProblem(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        if (Glob.Problem(glob) is { } problem)
        {
            return $"is not a glob: {problem}";
        }

        var body = glob.StartsWith('!') ? glob[1..] : glob;
        if (body.StartsWith('~'))
        {
            return "is not in the workspace: '~' is not allowed here; write a glob relative to the workspace, like dist/**";
        }

        return Escapes(body, "write it relative to the workspace, like dist/**");
    }

    /// <summary>What is wrong with a folder a cache keeps, said to follow its quoted text; null when it is fine.</summary>
    public static string? CachePathProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
        {
            return "is empty; name a folder, like ~/.nuget/packages or node_modules";
        }

        if (path.StartsWith('~'))
        {
            if (path is "~" or "~/")
            {
                return "is the whole home folder, which is too broad; name a folder under it, like ~/.nuget/packages";
            }

            if (!path.StartsWith("~/", StringComparison.Ordinal))
            {
                return "names another user's home; write ~/ followed by a folder under the steps' home, like ~/.cache/pip";
            }

            return Escapes(path[2..], CacheExample);
        }

        return Escapes(path, CacheExample);
    }

    private const string CacheExample = "write it relative to the workspace or under the steps' home, like node_modules or ~/.nuget/packages";

    private static string? Escapes(string path, string instead)
    {
        if (path.StartsWith('/') || path.StartsWith('\\') || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':'))
        {
            return $"is absolute; {instead}";
        }

        return path.Split('/', '\\').Contains("..")
            ? "leaves the workspace: '..' is not allowed"
            : null;
    }
}
