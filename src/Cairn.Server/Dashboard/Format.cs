using System.Globalization;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;

namespace Cairn.Server.Dashboard;

/// <summary>How the dashboard writes times, durations, commits and refs.</summary>
internal static class Format
{
    /// <summary>"4s", "3m 12s", "2h 05m".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds}s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m {span.Seconds:00}s"
            : $"{(int)span.TotalHours}h {span.Minutes:00}m";
    }

    /// <summary>How long something took, or has taken so far; empty when it has not started.</summary>
    public static string Duration(DateTimeOffset? started, DateTimeOffset? finished, DateTimeOffset now) =>
        started is { } from ? Duration((finished ?? now) - from) : "";

    /// <summary>"12s ago", "5m ago", "3h ago", "2d ago".</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var span = now - at;
        return span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)}s ago"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m ago"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours}h ago"
            : $"{(int)span.TotalDays}d ago";
    }

    /// <summary>An exact UTC time for a title attribute.</summary>
    public static string Exact(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"812 B", "1.5 KiB", "3.2 MiB".</summary>
    public static string Size(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        var (value, unit) = ((double)bytes / 1024, 0);
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        for (; value >= 1024 && unit < units.Length - 1; unit++)
        {
            value /= 1024;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>"in 14d", "in 3h", "in 5m", "expired": to the nearest unit, so what was kept for 14 days a minute ago
    /// still reads 14d.</summary>
    public static string Until(DateTimeOffset at, DateTimeOffset now)
    {
        var left = at - now;
        return left <= TimeSpan.Zero ? "expired"
            : left.TotalHours < 1 ? $"in {Math.Max(1, (int)Math.Round(left.TotalMinutes))}m"
            : left.TotalDays < 1 ? $"in {(int)Math.Round(left.TotalHours)}h"
            : $"in {(int)Math.Round(left.TotalDays)}d";
    }

    public static string ShortSha(string? sha) => sha is { Length: > 8 } ? sha[..8] : sha ?? "";

    /// <summary>A branch or tag name without its <c>refs/…/</c> prefix.</summary>
    public static string Ref(string? gitRef) =>
        gitRef is null ? "" : gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..]
            : gitRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? gitRef["refs/tags/".Length..]
            : gitRef;

    /// <summary>The forge's page of a commit, when the repository's clone URL is a web address; else null.</summary>
    public static string? CommitUrl(RepositoryRecord? repository, string? sha)
    {
        if (repository is null || sha is null
            || !Uri.TryCreate(repository.CloneUrl, UriKind.Absolute, out var clone) || clone.Scheme is not ("https" or "http"))
        {
            return null;
        }

        var web = $"{clone.Scheme}://{clone.Authority}{clone.AbsolutePath.TrimEnd('/')}";
        if (web.EndsWith(".git", StringComparison.Ordinal))
        {
            web = web[..^4];
        }

        return repository.Forge switch
        {
            ForgeKind.GitLab => $"{web}/-/commit/{sha}",
            ForgeKind.Bitbucket => $"{web}/commits/{sha}",
            _ => $"{web}/commit/{sha}",
        };
    }
}
