using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Hosting;

namespace Cairn.Server.Workers;

/// <summary>The server's own workers hand a job that fetches its own source the server's git endpoint at its public
/// address, with a token scoped to the lease and the run's repository (<see cref="SourceTokens"/>).</summary>
public sealed class ServerJobSourceIssuer(SourceTokens tokens, ServerSettings settings) : IJobSourceIssuer
{
    public Task<JobSource?> IssueAsync(JobLease lease, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(run);
        if (run.Repository is not { } repository || run.Sha is not { Length: > 0 } sha)
        {
            return Task.FromResult<JobSource?>(null);
        }

        // Relative to the public address as a folder, so a server behind a path prefix keeps it.
        var root = settings.PublicUrl.AbsoluteUri.EndsWith('/') ? settings.PublicUrl : new Uri(settings.PublicUrl.AbsoluteUri + "/");
        var url = new Uri(root, WorkerPaths.Git(repository).TrimStart('/'));
        return Task.FromResult<JobSource?>(new JobSource(url, sha, tokens.Issue(lease.LeaseId, repository)));
    }
}
