using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Workers;

/// <summary>A worker over HTTP hands a job that fetches its own source what its lease's grant says: the server's git
/// endpoint for the run's repository (<see cref="Core.Workers.LeaseGrant.SourcePath"/>) and the lease's source token.</summary>
public sealed class RemoteJobSourceIssuer(WorkerConnection connection, RemoteLeases leases) : IJobSourceIssuer
{
    public Task<JobSource?> IssueAsync(JobLease lease, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        var grant = leases.ForJob(lease.JobId)?.Grant;
        if (grant?.SourcePath is not { } sourcePath || run.Sha is not { Length: > 0 } sha)
        {
            return Task.FromResult<JobSource?>(null);
        }

        return Task.FromResult<JobSource?>(new JobSource(new Uri(connection.Server, sourcePath), sha, grant.SourceToken));
    }
}
