namespace Cairn.Cli.Commands.Client;

/// <summary>A run's artifacts as the server lists them: one entry per job that kept any.</summary>
internal sealed record ArtifactsView(long RunId, IReadOnlyList<JobArtifactsView> Artifacts);

/// <summary>What one job kept: its files (at most the first thousand, <see cref="Truncated"/> when there are more),
/// their count and bytes, and when they expire.</summary>
internal sealed record JobArtifactsView(
    string Job,
    long JobId,
    int Attempt,
    int FileCount,
    long Bytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<ArtifactFileView> Files,
    bool Truncated);

/// <summary>One kept file: its path in the job's workspace (<c>/</c>-separated) and its size.</summary>
internal sealed record ArtifactFileView(string Path, long Size);
