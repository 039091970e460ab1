namespace Cairn.Core.Artifacts;

/// <summary>A server's limits for artifacts and caches (its flags; <c>cairn run</c> uses the defaults).</summary>
/// <param name="DefaultExpiry">How long artifacts are kept when a job says nothing (<c>--artifact-expiry</c>).</param>
/// <param name="MaxJobBytes">The most one job attempt may keep (<c>--artifact-max-job-size</c>).</param>
/// <param name="MaxRepositoryBytes">The most a repository's unexpired artifacts may add up to (<c>--artifact-max-repository-size</c>).</param>
/// <param name="MaxCacheBytes">The most a repository's caches may add up to before the least recently used go
/// (<c>--cache-max-repository-size</c>).</param>
public sealed record ArtifactSettings(TimeSpan DefaultExpiry, long MaxJobBytes, long MaxRepositoryBytes, long MaxCacheBytes)
{
    public static ArtifactSettings Default { get; } = new(
        TimeSpan.FromDays(30),
        MaxJobBytes: 4L << 30,
        MaxRepositoryBytes: 50L << 30,
        MaxCacheBytes: 10L << 30);
}
