using Cairn.Core.Repositories;
using Cairn.Core.Runs;

namespace Cairn.Core.Artifacts;

/// <summary>The stashes of attempts run where the store and the blob store are at hand: the server's own workers, the
/// server's side of the HTTP worker protocol, and <c>cairn run</c>.</summary>
/// <param name="repositories">Where a run's repository's default branch is read (its caches are read after the run's
/// own); null: no default branch (<c>cairn run</c>).</param>
public sealed class StoreJobStashes(
    IArtifactIndex artifacts,
    ICacheIndex caches,
    IBlobStore blobs,
    IRepositoryStore? repositories,
    ArtifactSettings settings,
    TimeProvider time) : IJobStashes
{
    public IJobStash For(JobLease lease, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        _ = (artifacts, caches, blobs, repositories, settings, time);
        throw new NotSupportedException("the store's stash is not written yet");
    }
}
