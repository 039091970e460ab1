using Cairn.Core.Artifacts;
using Cairn.Core.Runs;

namespace Cairn.Workers;

/// <summary>The stashes of a worker that holds only its token: each attempt's artifacts and caches go to and come from the
/// server over the lease's calls (<see cref="Core.Workers.WorkerArtifactPaths"/>), which decides there what the lease's run
/// may read and keep.</summary>
public sealed class RemoteJobStashes(WorkerConnection connection) : IJobStashes
{
    public IJobStash For(JobLease lease, RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);

        // Where it saves does not depend on the default branch, which only the server knows: the server checks again.
        return new RemoteJobStash(connection, lease.LeaseId, lease.JobId, CacheScopes.For(run, null).Save);
    }
}
