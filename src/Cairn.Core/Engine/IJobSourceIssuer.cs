using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Hands a job that fetches its own source (<see cref="IFetchesOwnSource"/>) where and how to fetch the run's
/// commit: the server's git endpoint and a token scoped to the lease and the repository.</summary>
public interface IJobSourceIssuer
{
    /// <summary>The source of <paramref name="run"/> for the attempt under <paramref name="lease"/>; null when the run has no
    /// repository or commit. Throws <see cref="InvalidOperationException"/> with a sentence a person can act on when
    /// this process cannot hand source out (a server without an address the cluster can reach, say).</summary>
    Task<JobSource?> IssueAsync(JobLease lease, RunRecord run, CancellationToken cancellationToken);
}
