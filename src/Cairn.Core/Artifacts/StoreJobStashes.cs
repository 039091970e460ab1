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
    /// <summary>Where a rerun's reused jobs are looked up, so a job needing one gets the artifacts the earlier run kept;
    /// null: only this run's own sets count.</summary>
    public IRunStore? Runs { get; init; }

    /// <summary>The blob store the stashes write to.</summary>
    public IBlobStore Blobs => blobs;

    public IJobStash For(JobLease lease, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        return new StoreJobStash(new StashParts(artifacts, caches, blobs, repositories, Runs, settings, time), lease, run);
    }
}

/// <summary>What every stash of a <see cref="StoreJobStashes"/> shares.</summary>
internal sealed record StashParts(
    IArtifactIndex Artifacts,
    ICacheIndex Caches,
    IBlobStore Blobs,
    IRepositoryStore? Repositories,
    IRunStore? Runs,
    ArtifactSettings Settings,
    TimeProvider Time);
