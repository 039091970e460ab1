namespace Cairn.Core.Artifacts;

/// <summary>The rules every name in an artifact or cache tar follows, wherever it is read: relative, <c>/</c>-separated,
/// no <c>.</c> or <c>..</c> segment, no empty segment, no control character; a symbolic link may point only at a place
/// inside the folder the tar is rooted at.</summary>
public static class ArtifactEntries
{
    /// <summary>The name made canonical (a leading <c>./</c> and a trailing <c>/</c> dropped), or null with the reason it is
    /// refused.</summary>
    public static string? Normalize(string name, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(name);
        refusal = null;
        var text = name.Replace('\\', '/');
        while (text.StartsWith("./", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        text = text.TrimEnd('/');
        if (text.Length == 0 || text == ".")
        {
            refusal = "an empty name";
            return null;
        }

        if (text.StartsWith('/') || (text.Length > 1 && text[1] == ':'))
        {
            refusal = "an absolute path";
            return null;
        }

        if (text.Any(char.IsControl))
        {
            refusal = "a control character in the name";
            return null;
        }

        foreach (var segment in text.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                refusal = segment == ".." ? "a '..' that leaves the folder" : "an empty or '.' segment";
                return null;
            }
        }

        return text;
    }

    /// <summary>Whether a symbolic link at <paramref name="name"/> (normalized) pointing at <paramref name="target"/> stays
    /// inside the folder the names are relative to. Absolute targets never do.</summary>
    public static bool LinkStaysInside(string name, string target)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Length == 0 || target.StartsWith('/') || target.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        var parts = new List<string>(name.Split('/'));
        parts.RemoveAt(parts.Count - 1);
        foreach (var segment in target.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (parts.Count == 0)
                    {
                        return false;
                    }

                    parts.RemoveAt(parts.Count - 1);
                    break;
                default:
                    parts.Add(segment);
                    break;
            }
        }

        return true;
    }

    /// <summary>The folders (or files) under which every path the globs can match lies: each glob's literal leading
    /// segments, <c>""</c> for one that may match anywhere; nested ones dropped. Negative globs add nothing.</summary>
    public static IReadOnlyList<string> Roots(IReadOnlyList<string> globs)
    {
        ArgumentNullException.ThrowIfNull(globs);
        var roots = new List<string>();
        foreach (var glob in globs.Where(g => !g.StartsWith('!')))
        {
            var literal = new List<string>();
            var segments = glob.Replace('\\', '/').Split('/');
            foreach (var segment in segments)
            {
                if (segment.IndexOfAny(['*', '?', '[']) >= 0)
                {
                    break;
                }

                if (segment is "" or ".")
                {
                    continue;
                }

                literal.Add(segment);
            }

            roots.Add(string.Join('/', literal));
        }

        var sorted = roots.Distinct(StringComparer.Ordinal).OrderBy(r => r.Length).ToList();
        var kept = new List<string>();
        foreach (var root in sorted)
        {
            if (!kept.Any(k => k.Length == 0 || root == k || root.StartsWith(k + "/", StringComparison.Ordinal)))
            {
                kept.Add(root);
            }
        }

        return kept;
    }

    /// <summary>Where a cache path lives: <c>~/x</c> under the steps' home, anything else under the workspace. Answers the
    /// root and the path relative to it (normalized), or null when the path is refused (absolute, <c>..</c>, <c>~</c> alone).</summary>
    public static (CacheRoot Root, string Path)? CachePath(string path, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(path);
        var home = path.StartsWith("~/", StringComparison.Ordinal);
        var relative = home ? path[2..] : path;
        var normalized = Normalize(relative, out refusal);
        return normalized is null ? null : (home ? CacheRoot.Home : CacheRoot.Workspace, normalized);
    }
}

/// <summary>Where a cache path is rooted. A cache's tar names its entries <c>home/…</c> or <c>workspace/…</c>.</summary>
public enum CacheRoot
{
    Workspace,
    Home,
}
