using Cairn.Core.Artifacts;

namespace Cairn.Server.Api;

/// <summary>A run's artifacts, one entry per job that kept any.</summary>
public sealed record RunArtifactsView(long RunId, IReadOnlyList<JobArtifactsView> Artifacts);

/// <summary>What one job kept: its latest attempt's set, with at most <see cref="ArtifactViews.MaxListedFiles"/> files
/// (<see cref="Truncated"/> when it kept more).</summary>
public sealed record JobArtifactsView(
    string Job, long JobId, int Attempt, int FileCount, long Bytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<ArtifactFileView> Files, bool Truncated);

/// <summary>One file of a set in a listing.</summary>
public sealed record ArtifactFileView(string Path, long Size);

/// <summary>One level of a job's artifacts: folders first, then files and links, each by name (ordinal).</summary>
public sealed record ArtifactDirectoryView(string Job, string Path, IReadOnlyList<ArtifactEntryView> Entries);

/// <summary>A folder (<c>directory</c>), a file (<c>file</c>, with its size and time) or a symbolic link (<c>link</c>, with
/// its target) in a folder's listing. A folder's path ends with <c>/</c>.</summary>
public sealed record ArtifactEntryView(
    string Name, string Path, string Kind, long? Size = null, DateTimeOffset? Modified = null, string? Target = null);

/// <summary>Turns the index's records into what the API answers.</summary>
internal static class ArtifactViews
{
    /// <summary>The most files a run's listing names per job.</summary>
    public const int MaxListedFiles = 1000;

    /// <summary>The most files one folder's listing reads under it.</summary>
    public const int MaxScannedFiles = 100_000;

    public static JobArtifactsView Job(ArtifactSetRecord set, IReadOnlyList<ArtifactFile> files) => new(
        set.JobName, set.JobId, set.Attempt, set.Files, set.Bytes, set.CreatedAt.ToUniversalTime(), set.ExpiresAt.ToUniversalTime(),
        [.. files.Where(f => !IsFolder(f)).Take(MaxListedFiles).Select(f => new ArtifactFileView(f.Path, f.Size))],
        files.Count(f => !IsFolder(f)) > MaxListedFiles);

    /// <summary>The folder <paramref name="prefix"/> (empty, or ending with <c>/</c>) one level deep, from the files under it
    /// in path order.</summary>
    public static IReadOnlyList<ArtifactEntryView> Level(string prefix, IReadOnlyList<ArtifactFile> files)
    {
        var (folders, here) = Split(prefix, files);
        return
        [
            .. folders.Select(name => new ArtifactEntryView(name, prefix + name + "/", "directory")),
            .. here.Select(file => file.LinkTarget is { } target
                ? new ArtifactEntryView(file.Path[prefix.Length..], file.Path, "link", Target: target)
                : new ArtifactEntryView(file.Path[prefix.Length..], file.Path, "file", file.Size, file.Modified.ToUniversalTime())),
        ];
    }

    /// <summary>What lies one level under <paramref name="prefix"/> (empty, or ending with <c>/</c>): the names of the
    /// folders, and the files and links themselves, each by name (ordinal). The API's listing and the dashboard's browser
    /// both read a folder this way.</summary>
    public static (IReadOnlyList<string> Folders, IReadOnlyList<ArtifactFile> Files) Split(string prefix, IEnumerable<ArtifactFile> files)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        var here = new List<ArtifactFile>();
        foreach (var file in files)
        {
            if (!file.Path.StartsWith(prefix, StringComparison.Ordinal) || file.Path.Length == prefix.Length)
            {
                continue;
            }

            var rest = file.Path[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                here.Add(file);
            }
            else if (slash > 0)
            {
                folders.Add(rest[..slash]);
            }
        }

        return ([.. folders], [.. here.OrderBy(f => f.Path, StringComparer.Ordinal)]);
    }

    /// <summary>A folder's own record, when the index keeps one (its path ends with <c>/</c>).</summary>
    public static bool IsFolder(ArtifactFile file) => file.Path.EndsWith('/');

    /// <summary>A relative, <c>/</c>-separated path with no empty, <c>.</c> or <c>..</c> part; null when it is not one.</summary>
    public static string? Clean(string? path, bool folder)
    {
        var text = (path ?? "").Trim();
        if (text.Length == 0 || text == "/")
        {
            return folder ? "" : null;
        }

        if (text.StartsWith('/') || text.Contains('\\', StringComparison.Ordinal) || text.Any(char.IsControl))
        {
            return null;
        }

        var parts = text.TrimEnd('/').Split('/');
        if (parts.Any(p => p.Length == 0 || p is "." or ".."))
        {
            return null;
        }

        var joined = string.Join('/', parts);
        return folder ? joined + "/" : joined;
    }
}
