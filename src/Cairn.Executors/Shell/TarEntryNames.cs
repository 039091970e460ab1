namespace Cairn.Executors.Shell;

/// <summary>Checks on the names inside a tar stream, so that nothing extracted or archived leaves its folder.</summary>
internal static class TarEntryNames
{
    /// <summary>The components of a relative entry name (<c>./</c>, empty and <c>.</c> components dropped); an empty
    /// list is the folder itself. Throws <see cref="IOException"/> naming the entry for an absolute name, a <c>..</c>
    /// component or a NUL.</summary>
    public static IReadOnlyList<string> Components(string name)
    {
        if (name.StartsWith('/') || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new TarEntryRefusedException(name, "it is not a relative path");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToList();
        if (parts.Contains(".."))
        {
            throw new TarEntryRefusedException(name, "it leaves the folder it is extracted into");
        }

        return parts;
    }

    /// <summary>Whether a symbolic link at <paramref name="linkPath"/> (absolute, under <paramref name="root"/>) with
    /// target <paramref name="target"/> points at <paramref name="root"/> or something under it, read as text: the
    /// links on the way are checked as they are made.</summary>
    public static bool LinkStaysUnder(string root, string linkPath, string target)
    {
        if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var resolved = Path.GetFullPath(target.StartsWith('/') ? target : Path.Combine(Path.GetDirectoryName(linkPath)!, target));
        return IsUnder(root, resolved);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies under it (both full paths).</summary>
    public static bool IsUnder(string root, string path)
    {
        var trimmed = root.TrimEnd('/');
        return path == root || path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    /// <summary>A name fit for an error message: control characters shown as <c>?</c>, long names cut.</summary>
    public static string Shown(string name)
    {
        var clean = new string([.. name.Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length > 200 ? clean[..200] + "…" : clean;
    }
}
