using System.Security.Cryptography;
using System.Text;

namespace Cairn.Git;

/// <summary>Checks the names that reach git from forges and people (commit SHAs, refs, repository names), so that
/// none can be read as an option or a revision expression, and none can lead a path out of the mirror root.</summary>
internal static class GitNames
{
    /// <summary>A full commit SHA (SHA-1 or SHA-256), lower-cased.</summary>
    public static string Sha(string? sha)
    {
        if (sha is { Length: 40 or 64 } && sha.All(char.IsAsciiHexDigit))
        {
            return sha.ToLowerInvariant();
        }

        throw new GitException($"'{sha}' is not a full commit SHA (40 or 64 hex digits)");
    }

    /// <summary>True for the SHA forges send for "no commit" (a new branch's before): all zeros.</summary>
    public static bool IsZero(string sha) => sha.All(c => c == '0');

    public static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    /// <summary>A full ref: <c>refs/…</c> as given, anything else taken as a branch name (<c>main</c> → <c>refs/heads/main</c>).</summary>
    public static string Ref(string? gitRef)
    {
        var full = gitRef is null ? "" : gitRef.StartsWith("refs/", StringComparison.Ordinal) ? gitRef : "refs/heads/" + gitRef;
        if (!IsValidRef(full))
        {
            throw new GitException($"'{gitRef}' is not a valid git ref or branch name");
        }

        return full;
    }

    /// <summary>The rules of <c>git check-ref-format</c>.</summary>
    private static bool IsValidRef(string name)
    {
        if (name.Length is 0 or > 1024 || name.EndsWith('/') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal)
            || name.Contains("@{", StringComparison.Ordinal) || name.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        if (name.Any(c => c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            return false;
        }

        return name.Split('/').All(part => part.Length > 0 && !part.StartsWith('.') && !part.EndsWith(".lock", StringComparison.Ordinal));
    }

    /// <summary>A path inside a repository as git names it in <c>commit:path</c>: forward slashes, no leading
    /// <c>/</c> or <c>./</c>, never <c>..</c> or a control character.</summary>
    public static string FilePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var clean = path.Replace('\\', '/').TrimStart('/');
        while (clean.StartsWith("./", StringComparison.Ordinal))
        {
            clean = clean[2..];
        }

        if (clean.Length == 0 || clean.Any(char.IsControl) || clean.Split('/').Contains(".."))
        {
            throw new ArgumentException($"'{path}' is not a path inside a repository", nameof(path));
        }

        return clean;
    }

    /// <summary>The mirror's directory name: a readable part plus a hash of the whole name (compared without regard
    /// to case, as forges compare repository names). It is one path segment and never <c>.</c> or <c>..</c>, so no
    /// name can reach outside the root, and two names never share a mirror.</summary>
    public static string MirrorDirectory(string? repository)
    {
        if (string.IsNullOrWhiteSpace(repository))
        {
            throw new GitException("the repository has no name");
        }

        var name = repository.Trim().ToLowerInvariant();
        var readable = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_');
        }

        var slug = readable.ToString();
        while (slug.Contains("..", StringComparison.Ordinal))
        {
            slug = slug.Replace("..", ".", StringComparison.Ordinal);
        }

        slug = slug.TrimStart('.');
        slug = slug.Length > 60 ? slug[..60] : slug;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16];
        return $"{slug}-{hash}.git";
    }
}
