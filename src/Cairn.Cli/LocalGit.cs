namespace Cairn.Cli;

/// <summary>The branch and commit of the git checkout a local run happens in, read from <c>.git</c> directly
/// (no git process): they become CAIRN_REF and CAIRN_SHA as a forge's push would set them.</summary>
internal static class LocalGit
{
    public static (string? Ref, string? Sha, string Repository) Describe(string directory)
    {
        var root = FindRoot(directory);
        var repository = Path.GetFileName(Path.TrimEndingDirectorySeparator(root ?? directory));
        if (root is null)
        {
            return (null, null, repository);
        }

        try
        {
            var gitDir = ResolveGitDir(root);
            var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal))
            {
                return (null, head, repository);
            }

            var gitRef = head["ref: ".Length..];
            return (gitRef, ReadRef(gitDir, gitRef), repository);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null, repository);
        }
    }

    private static string? FindRoot(string directory)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            if (Path.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    // A worktree or submodule has a .git file that points at the real git directory.
    private static string ResolveGitDir(string root)
    {
        var dotGit = Path.Combine(root, ".git");
        if (Directory.Exists(dotGit))
        {
            return dotGit;
        }

        var pointer = File.ReadAllText(dotGit).Trim();
        var target = pointer.StartsWith("gitdir: ", StringComparison.Ordinal) ? pointer["gitdir: ".Length..] : pointer;
        return Path.GetFullPath(target, root);
    }

    private static string? ReadRef(string gitDir, string gitRef)
    {
        foreach (var dir in CommonDirs(gitDir))
        {
            var loose = Path.Combine(dir, gitRef);
            if (File.Exists(loose))
            {
                return File.ReadAllText(loose).Trim();
            }

            var packed = Path.Combine(dir, "packed-refs");
            if (File.Exists(packed))
            {
                foreach (var line in File.ReadLines(packed))
                {
                    var parts = line.Split(' ', 2);
                    if (parts.Length == 2 && parts[1] == gitRef)
                    {
                        return parts[0];
                    }
                }
            }
        }

        return null;
    }

    private static IEnumerable<string> CommonDirs(string gitDir)
    {
        yield return gitDir;
        var common = Path.Combine(gitDir, "commondir");
        if (File.Exists(common))
        {
            yield return Path.GetFullPath(File.ReadAllText(common).Trim(), gitDir);
        }
    }
}
