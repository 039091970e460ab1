using Cairn.Core.Artifacts;

namespace Cairn.Server.Api;

/// <summary>Where the artifacts API reads: the store's index and the blob store, when this server keeps artifacts.</summary>
internal sealed class ArtifactServing(IArtifactIndex? index, IBlobStore? blobs)
{
    public IArtifactIndex? Index => index;

    public IBlobStore? Blobs => blobs;

    /// <summary>The set the run's job (by its name as the run shows it) kept; null when none, or nowhere to read it.</summary>
    public async Task<ArtifactSetRecord?> FindSetAsync(long runId, string job, CancellationToken cancellationToken)
    {
        if (index is null || blobs is null)
        {
            return null;
        }

        var sets = await index.ListArtifactSetsAsync(runId, cancellationToken);
        return sets.LastOrDefault(s => string.Equals(s.JobName, job, StringComparison.Ordinal));
    }
}
