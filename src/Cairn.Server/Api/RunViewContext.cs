using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Server.Api;

/// <summary>What a run's view needs besides the store: the workers that could take a queued job (the server's own and the
/// registered ones, to say why none takes it), the clock (to say whether a retry's back-off has passed) and the overview
/// reads (every attempt of the run's jobs in one query), and the run's repository (to say when its limit of running jobs
/// holds a queued job back).</summary>
internal sealed class RunViewContext(
    LocalWorkers workers, TimeProvider time, IRunOverview overview, IWorkerStore registry, IRepositoryStore? repositories = null)
{
    /// <summary>How long one reading of the registered workers serves every view: a live page asks often.</summary>
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, LocalWorkers Workers)? _last;

    public TimeProvider Time => time;

    public IRunOverview Overview => overview;

    /// <summary>The pull requests publish jobs opened, when this server keeps them.</summary>
    public Core.Publishing.IPullRequestStore? PullRequests { get; init; }

    /// <summary>The agent jobs' records, when this server keeps them.</summary>
    public Core.Agents.IAgentSessionStore? Agents { get; init; }

    /// <summary>The approval jobs' gates and decisions, when this server keeps them.</summary>
    public Core.Gates.IApprovalStore? Gates { get; init; }

    /// <summary>The server's own workers, and the registered ones as they stand (read at most every couple of seconds).</summary>
    public async Task<LocalWorkers> WorkersAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_last is { } last && now - last.At < Fresh)
            {
                return last.Workers;
            }
        }

        var registered = (await registry.ListWorkersAsync(cancellationToken))
            .Select(w => new RegisteredWorker(w.Name, w.Labels, w.LastSeenAt is { } seen && now - seen <= WorkersApi.ConnectedWithin, w.Paused))
            .ToList();
        var known = workers with { Registered = registered };
        lock (_gate)
        {
            _last = (now, known);
        }

        return known;
    }

    /// <summary>The run's repository's limit of running jobs and how many run now, when the repository has a limit and the
    /// run has a queued job it could hold back; else null (and nothing read).</summary>
    public async Task<RepositoryLoad?> RepositoryLoadAsync(RunRecord run, IReadOnlyList<JobRecord> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(jobs);
        if (repositories is null || run.Repository is not { } name || !jobs.Any(j => j.Status == JobStatus.Queued))
        {
            return null;
        }

        if (await repositories.GetRepositoryAsync(name, cancellationToken) is not { MaxRunningJobs: { } limit })
        {
            return null;
        }

        return new RepositoryLoad(await repositories.CountRunningJobsAsync(name, cancellationToken), limit);
    }
}
