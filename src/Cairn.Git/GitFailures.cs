namespace Cairn.Git;

/// <summary>Turns what git printed when it failed into a <see cref="GitException"/> a person can read: git's own
/// reasons (its fatal, error and remote lines, each with the lines that continue it), without secrets.</summary>
internal static class GitFailures
{
    public static GitException From(string what, GitResult result, IEnumerable<string> secrets)
    {
        var reasons = Reasons(result.Error);
        if (FailedIntegrityCheck(result.Error))
        {
            // git's object lines name what is wrong; its "fsck error" and "index-pack failed" lines only that it was.
            var objects = reasons.Where(r => r.StartsWith("object ", StringComparison.Ordinal)).Take(3).ToList();
            var detail = objects.Count > 0 ? ": " + Cut(string.Join("; ", objects)) : "";
            return new GitException(GitRemote.Redact($"{what}: the objects sent failed git's integrity check (fsck), so none were kept{detail}", secrets));
        }

        var distinct = reasons.DistinctBy(WithoutSource, StringComparer.Ordinal).TakeLast(4).ToList();
        var reason = distinct.Count > 0 ? Cut(string.Join("; ", distinct)) : $"git exited with code {result.ExitCode}";
        return new GitException(GitRemote.Redact($"{what}: {reason}", secrets));
    }

    /// <summary>Whether a fetch was refused by <c>fetch.fsckObjects</c>: a malformed object in what the server sent.</summary>
    public static bool FailedIntegrityCheck(string error) =>
        error.Contains("fsck error", StringComparison.Ordinal)
        || (error.Contains("index-pack failed", StringComparison.Ordinal) && error.Contains("error: object ", StringComparison.Ordinal));

    private static List<string> Reasons(string error)
    {
        var reasons = new List<string>();
        foreach (var raw in error.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var stripped = StripPrefix(line);
            if (stripped != line || reasons.Count == 0)
            {
                reasons.Add(stripped);
            }
            else
            {
                reasons[^1] += " " + line;
            }
        }

        return reasons;
    }

    private static string Cut(string reason) => reason.Length > 600 ? reason[..600] + "…" : reason;

    private static string StripPrefix(string line)
    {
        foreach (var prefix in (string[])["fatal: ", "error: ", "remote: ", "warning: "])
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }
        }

        return line;
    }

    // The server's refusal comes back twice: "git upload-pack: …" and "remote error: upload-pack: …".
    private static string WithoutSource(string reason)
    {
        foreach (var prefix in (string[])["remote error: ", "git "])
        {
            if (reason.StartsWith(prefix, StringComparison.Ordinal))
            {
                reason = reason[prefix.Length..];
            }
        }

        return reason;
    }
}
