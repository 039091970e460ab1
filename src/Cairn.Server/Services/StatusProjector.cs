using System.Globalization;
using Cairn.Core.Agents;
using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Core.Pipelines;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Settings;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>Turns the store's feed of run and job changes, whichever process made them, into commit statuses in the
/// durable outbox: one per run (<c>cairn/&lt;pipeline&gt;</c>) and one per job (<c>cairn/&lt;pipeline&gt;/&lt;job&gt;</c>).
/// The feed position is kept in the store and moves in the transaction that queues a round's statuses, if no other
/// server sharing the database moved it first: each change's statuses are queued once, however many servers read the
/// feed and whenever one stops.</summary>
internal sealed partial class StatusProjector(
    IRunStore runs,
    IRepositoryStore repositories,
    IStatusOutbox outbox,
    ISettingStore storedSettings,
    ServerSettings settings,
    StatusSignal sent,
    TimeProvider time,
    ILogger<StatusProjector> log,
    IAgentSessionStore? agents = null,
    IPullRequestStore? pullRequests = null)
    : LoopingService("statuses", Wait, time, log)
{
    public const string CursorKey = "status-feed-cursor";

    /// <summary>What the forge shows of a run (and its jobs) that waits for a maintainer's approval.</summary>
    public const string WaitingForApproval = "waiting for approval";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    // The feed position, read from the store again whenever another server moved it first.
    private long? cursor;

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        var after = cursor ??= long.Parse(await storedSettings.GetSettingAsync(CursorKey, stoppingToken) ?? "0", CultureInfo.InvariantCulture);
        var changes = await runs.ReadChangesAsync(after, null, 200, stoppingToken);
        if (changes.Count == 0)
        {
            await runs.WaitForChangesAsync(after, Wait, stoppingToken);
            return;
        }

        // A run's changes come in bursts: read each run and repository once per round, not once per change.
        var round = new RoundCache(runs, repositories);
        var statuses = new List<ProjectedStatus>(changes.Count);
        foreach (var change in changes)
        {
            if (await ProjectAsync(change, round, stoppingToken) is { } status)
            {
                statuses.Add(status);
            }
        }

        // The store holds the position as written here, and none before a first round moved it (positions start at 1).
        var expected = after == 0 ? null : after.ToString(CultureInfo.InvariantCulture);
        var next = changes[^1].Id.ToString(CultureInfo.InvariantCulture);
        if (!await outbox.EnqueueProjectedStatusesAsync(CursorKey, expected, next, statuses, Time.GetUtcNow(), stoppingToken))
        {
            // Another server queued these first: go on from where it is.
            cursor = null;
            return;
        }

        cursor = changes[^1].Id;
        sent.Wake();
    }

    private async Task<ProjectedStatus?> ProjectAsync(RunChange change, RoundCache round, CancellationToken cancellationToken)
    {
        var run = await round.RunAsync(change.RunId, cancellationToken);
        if (run is not { Repository: { } repository, Sha: { } sha })
        {
            return null;
        }

        var repo = await round.RepositoryAsync(repository, cancellationToken);
        if (repo?.SealedForgeToken is null)
        {
            return null;
        }

        var link = new Uri(settings.PublicUrl, $"runs/{run.Id}").ToString();
        CommitStatus status;
        if (change.JobId is { } jobId)
        {
            var job = await runs.GetJobAsync(jobId, cancellationToken);
            if (job is null)
            {
                return null;
            }

            status = await DescribeAsync(JobStatus(run, job, change, link), change, job, cancellationToken);
        }
        else
        {
            if (change.Status.Run == Core.Runs.RunStatus.Failed && run.FailureClass is null
                && (await runs.GetJobsAsync(run.Id, cancellationToken)).FirstOrDefault(j => j.Status == Core.Runs.JobStatus.Failed) is { } failed)
            {
                change = change with { Detail = $"{failed.Name}: {failed.FailureClass?.ToWire() ?? "failed"}{(failed.FailureDetail is { } d ? " — " + d : "")}" };
            }

            status = RunStatus(run, change, link);
        }

        return new ProjectedStatus(repository, sha, status);
    }

    internal static CommitStatus RunStatus(RunRecord run, RunChange change, string link)
    {
        var context = $"cairn/{run.PipelineName}";
        var number = run.Number > 0 ? $"run #{run.Number}" : $"run {run.Id}";
        return change.Status.Run switch
        {
            Core.Runs.RunStatus.Succeeded => new(CommitState.Success, context, $"{number} passed", link),
            Core.Runs.RunStatus.Failed when run.FailureClass == FailureClass.Config => new(CommitState.Error, context, $"{number}: {FirstError(run) ?? "the pipeline is not valid"}", link),
            Core.Runs.RunStatus.Failed when run.FailureClass == FailureClass.Infra => new(CommitState.Error, context, $"{number}: {FirstError(run) ?? "could not start"}", link),
            Core.Runs.RunStatus.Failed => new(CommitState.Failure, context, $"{number} failed{(change.Detail is { } d ? ": " + d : "")}", link),
            Core.Runs.RunStatus.Cancelled => new(CommitState.Error, context, $"{number} cancelled{(change.Detail is { } c ? ": " + c : "")}", link),
            Core.Runs.RunStatus.Waiting when run.WaitingBehind is not null || HeldReason(change.Detail) =>
                new(CommitState.Pending, context, $"{number} is {change.Detail ?? run.PendingReason}", link),
            Core.Runs.RunStatus.Waiting => new(CommitState.Pending, context, WaitingForApproval, link),
            _ => new(CommitState.Pending, context, $"{number} is running", link),
        };
    }

    internal static CommitStatus JobStatus(RunRecord run, JobRecord job, RunChange change, string link)
    {
        var context = $"cairn/{run.PipelineName}/{job.Name}";
        var detail = change.Detail ?? job.FailureDetail;
        return change.Status.Job switch
        {
            Core.Runs.JobStatus.Waiting when run is { Status: Core.Runs.RunStatus.Waiting, WaitingBehind: not null } =>
                new(CommitState.Pending, context, run.PendingReason ?? "waiting for its concurrency group", link),
            Core.Runs.JobStatus.Waiting when run.Status == Core.Runs.RunStatus.Waiting => new(CommitState.Pending, context, WaitingForApproval, link),
            Core.Runs.JobStatus.Waiting => new(CommitState.Pending, context, "waiting for its needs", link),
            Core.Runs.JobStatus.Queued => new(CommitState.Pending, context, "queued", link),
            Core.Runs.JobStatus.Running => new(CommitState.Pending, context, job.Attempt > 1 ? $"running (attempt {job.Attempt})" : "running", link),
            Core.Runs.JobStatus.Succeeded => new(CommitState.Success, context, job.StartedAt is { } s && job.FinishedAt is { } f ? $"passed in {Duration.Format(f - s)}" : "passed", link),
            Core.Runs.JobStatus.Skipped => new(CommitState.Success, context, "skipped", link),
            Core.Runs.JobStatus.Cancelled => new(CommitState.Error, context, $"cancelled{(detail is null ? "" : ": " + detail)}", link),
            Core.Runs.JobStatus.Failed when change.FailureClass is FailureClass.Config or FailureClass.Infra => new(CommitState.Error, context, $"{change.FailureClass.Value.ToWire()}: {detail}", link),
            Core.Runs.JobStatus.Failed => new(CommitState.Failure, context, $"{change.FailureClass?.ToWire() ?? "failed"}{(detail is null ? "" : ": " + detail)}", link),
            _ => new(CommitState.Pending, context, change.Status.ToWire(), link),
        };
    }

    /// <summary>The plain status with what the job's kind adds: an agent's turns and cost, a gate's approvals, a pull request.</summary>
    private async Task<CommitStatus> DescribeAsync(CommitStatus plain, RunChange change, JobRecord job, CancellationToken cancellationToken)
    {
        var status = change.Status.Job;
        switch (Api.JobFacts.KindOf(job))
        {
            case "agent" when agents is not null && status is Core.Runs.JobStatus.Succeeded or Core.Runs.JobStatus.Failed or Core.Runs.JobStatus.Cancelled:
                var records = await agents.GetAgentSessionsAsync(job.RunId, cancellationToken);
                return StatusDescriptions.Agent(plain, status, job, records.Where(r => r.JobId == job.Id).MaxBy(r => r.Attempt));
            case "approval":
                return StatusDescriptions.Gate(plain, status, job);
            case "publish" when pullRequests is not null && status == Core.Runs.JobStatus.Succeeded:
                var opened = (await pullRequests.GetPullRequestsAsync(job.RunId, cancellationToken)).FirstOrDefault(p => p.JobId == job.Id);
                return StatusDescriptions.Publish(plain, status, opened);
            default:
                return plain;
        }
    }

    // A run is written 'waiting' for approval or held in its group; the change's detail, kept as it was then, says which.
    private static bool HeldReason(string? detail) => detail?.StartsWith("waiting behind run #", StringComparison.Ordinal) == true;

    private static string? FirstError(RunRecord run) => run.Errors.Count switch
    {
        0 => null,
        1 => run.Errors[0],
        var n => $"{run.Errors[0]} (and {n - 1} more)",
    };


    /// <summary>Runs and repositories read during one round. What a status needs of them (repository, commit, pipeline,
    /// number, a failed start's class and errors) does not change while the run goes on.</summary>
    private sealed class RoundCache(IRunStore runs, IRepositoryStore repositories)
    {
        private readonly Dictionary<long, RunRecord?> runsRead = [];
        private readonly Dictionary<string, RepositoryRecord?> repositoriesRead = new(StringComparer.OrdinalIgnoreCase);

        public async Task<RunRecord?> RunAsync(long id, CancellationToken cancellationToken)
        {
            if (!runsRead.TryGetValue(id, out var run))
            {
                runsRead[id] = run = await runs.GetRunAsync(id, cancellationToken);
            }

            return run;
        }

        public async Task<RepositoryRecord?> RepositoryAsync(string name, CancellationToken cancellationToken)
        {
            if (!repositoriesRead.TryGetValue(name, out var repository))
            {
                repositoriesRead[name] = repository = await repositories.GetRepositoryAsync(name, cancellationToken);
            }

            return repository;
        }
    }
}
