using System.Globalization;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>A run as the API shows it. <c>status</c> is <c>waiting</c> (for a maintainer's approval), <c>running</c>,
/// <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</summary>
public sealed record RunView(
    long Id,
    long Number,
    string? Repo,
    string Pipeline,
    string Event,
    string? Ref,
    string? Sha,
    string Status,
    string? FailureClass,
    IReadOnlyList<string> Errors,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? RerunOf,
    bool CancelRequested,
    string? ConcurrencyGroup,
    int? PullRequest,
    bool Fork,
    IReadOnlyList<JobView>? Jobs)
{
    /// <summary>Why a <c>waiting</c> run waits (a maintainer must approve it, or it is held behind an older run of its
    /// concurrency group); null for every other run.</summary>
    public string? PendingReason { get; init; }

    /// <summary>The id of the run ahead while this one is held in its concurrency group; null otherwise.</summary>
    public long? WaitingBehind { get; init; }

    /// <summary>Why the run was asked to cancel (rejected, superseded, cancelled through the API), once it was.</summary>
    public string? CancelReason { get; init; }

    /// <summary>The pull requests the run's publish jobs opened, with their checks; null where none are kept.</summary>
    public IReadOnlyList<PullRequestView>? PullRequests { get; init; }

    /// <summary>The id of the run's trace (32 hex digits), to look it up in a tracing backend; null when it was not traced.</summary>
    public string? TraceId { get; init; }
}

/// <summary>A pull request a publish job opened: <see cref="Summary"/> reads <c>PR #12: checks passing</c>.</summary>
public sealed record PullRequestView(long JobId, int Number, string Url, string Branch, bool Draft, string? Checks, string? ChecksDetail, string Summary);

/// <summary>A job of a run as the API shows it.</summary>
public sealed record JobView(
    long Id,
    string Name,
    string Status,
    int Attempt,
    int? ExitCode,
    string? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<StepView> Steps)
{
    /// <summary>Why a <c>waiting</c> or <c>queued</c> job is not running; null for running and ended jobs.</summary>
    public PendingReasonView? PendingReason { get; init; }

    /// <summary>The runner alias the job asked for (<c>runner:</c>); null when it named none and takes the default.</summary>
    public string? Runner { get; init; }

    /// <summary>The worker that runs or last ran the job; null before its first attempt.</summary>
    public string? Worker { get; init; }

    /// <summary>Every attempt, newest first; empty for a job that never started.</summary>
    public IReadOnlyList<AttemptView> Attempts { get; init; } = [];

    /// <summary>An agent job's agent (its latest attempt's record, and every attempt's); null for other jobs and before
    /// the agent's first record.</summary>
    public AgentView? Agent { get; init; }

    /// <summary>An approval job's gate once it opened; null for other jobs and before.</summary>
    public GateView? Gate { get; init; }
}

/// <summary>One attempt of a job: <c>status</c> is <c>running</c>, <c>succeeded</c>, <c>failed</c> (also when it was
/// retried) or <c>cancelled</c>; <c>worker</c> is the worker that ran it.</summary>
public sealed record AttemptView(
    int Attempt,
    string Status,
    int? ExitCode,
    string? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Worker)
{
    internal static AttemptView Of(JobAttemptRecord attempt) => new(
        attempt.Attempt, attempt.Status.ToWire(), attempt.ExitCode, attempt.FailureClass?.ToWire(), attempt.FailureDetail,
        attempt.StartedAt, attempt.FinishedAt, attempt.Worker);
}

/// <summary>Why a job is not running: <c>kind</c> is <c>needs</c>, <c>approval</c>, <c>worker</c>, <c>retry</c> or <c>concurrency</c>;
/// <c>text</c> is one sentence for people.</summary>
public sealed record PendingReasonView(string Kind, string Text);

public sealed record StepView(int Index, string Name, string Status, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>What a person sends to start a run by hand.</summary>
public sealed record TriggerRequest(string? Ref, string? Sha, Dictionary<string, string>? Inputs);

internal static class RunsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/repos/{owner}/{repo}/runs", TriggerAsync).WithName("TriggerRun").ForRepository(Permission.Trigger, "owner", "repo");
        // A repository whose name has subgroups (group/sub/project/runs): the catch-all must end the route.
        api.MapPost("/repos/{**path}", TriggerNestedAsync).WithName("TriggerNestedRun").ForRepositoryPath(RepositoryPaths.PermissionOf);
        api.MapGet("/runs", ListAsync).WithName("ListRuns").ForListing();
        api.MapGet("/runs/{id:long}", GetAsync).WithName("GetRun").ForRunOf(Permission.ReadRuns);
        api.MapPost("/runs/{id:long}/cancel", CancelAsync).WithName("CancelRun").ForRunOf(Permission.Cancel);
        api.MapPost("/runs/{id:long}/rerun", (long id, Caller caller, [AsParameters] StartDependencies deps, CancellationToken ct) => RerunAsync(id, false, caller, deps, ct))
            .WithName("RerunRun").ForRunOf(Permission.Rerun);
        api.MapPost("/runs/{id:long}/rerun-failed", (long id, Caller caller, [AsParameters] StartDependencies deps, CancellationToken ct) => RerunAsync(id, true, caller, deps, ct))
            .WithName("RerunFailedJobs").ForRunOf(Permission.Rerun);
    }

    private static Task<IResult> TriggerAsync(
        string owner, string repo, TriggerRequest? request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        Caller caller, [AsParameters] StartDependencies deps, CancellationToken cancellationToken) =>
        StartRunAsync($"{owner}/{repo}", request, idempotencyKey, caller, deps, cancellationToken);

    private static Task<IResult> TriggerNestedAsync(
        string path, TriggerRequest? request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        Caller caller, [AsParameters] StartDependencies deps, CancellationToken cancellationToken) =>
        RepositoryPath.Parse(path) is { Resource: RepositoryResource.Runs } found
            ? StartRunAsync(found.Repository, request, idempotencyKey, caller, deps, cancellationToken)
            : Task.FromResult(Problems.NotFound($"there is nothing to post to at /api/v1/repos/{path}; a run is started at repos/NAME/runs"));

    private static async Task<IResult> StartRunAsync(
        string name, TriggerRequest? request, string? idempotencyKey, Caller caller, StartDependencies deps, CancellationToken cancellationToken)
    {
        var (store, views) = (deps.Store, deps.Views);
        var repository = await deps.Repositories.GetRepositoryAsync(name, cancellationToken);
        if (repository is null)
        {
            return Problems.NotFound($"there is no repository {name}");
        }

        request ??= new TriggerRequest(null, null, null);
        if (request.Sha is { } given && (given.Length is < 7 or > 64 || !given.All(Uri.IsHexDigit)))
        {
            return Problems.BadRequest($"sha: '{given}' is not a commit id");
        }

        var key = string.IsNullOrWhiteSpace(idempotencyKey) ? null : $"manual:{repository.Name}:{idempotencyKey.Trim()}";
        var asked = views.Time.GetUtcNow();

        var trigger = new TriggerEvent(TriggerKind.Manual, repository.Name, request.Ref, request.Sha,
            request.Inputs ?? new Dictionary<string, string>(StringComparer.Ordinal), key)
        {
            // Who started it: an approval gate of the run does not let them approve it alone.
            Sender = caller.Actor,
        };
        var result = await deps.Starter.StartAsync(repository, trigger, new StartOptions(Explicit: true), cancellationToken);

        // The same key gives the run it gave the first time, with 200 rather than 201: nothing new to audit.
        if (result is StartResult.Started { Run: var earlier } && earlier.CreatedAt < asked)
        {
            return Results.Ok(await ViewAsync(store, earlier, views, cancellationToken));
        }

        await deps.Audit.RecordStartAsync(caller, repository.Name, result, null, false, cancellationToken);
        return await AnswerAsync(result, store, views, cancellationToken);
    }

    /// <summary>A started run is 201 with the run; a start refused or ignored is 422 with why.</summary>
    private static async Task<IResult> AnswerAsync(StartResult result, IRunStore store, RunViewContext views, CancellationToken cancellationToken) => result switch
    {
        StartResult.Started started => Results.Created($"/api/v1/runs/{started.Run.Id}", await ViewAsync(store, started.Run, views, cancellationToken)),
        StartResult.Refused refused => CannotStart(refused.Reason),
        StartResult.Ignored ignored => CannotStart(ignored.Reason),
        _ => throw new InvalidOperationException($"{result} is not a start result"),
    };

    private static IResult CannotStart(string reason) =>
        Results.Problem(reason, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The run cannot start");

    private static async Task<IResult> ListAsync(
        IRunStore store, Caller caller, RepositoryAccess access, string? repo, string? status, string? branch, string? cursor, int? limit,
        CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var before, out var take, out var problem))
        {
            return problem!;
        }

        RunStatus? wanted = null;
        if (status is { Length: > 0 })
        {
            try
            {
                wanted = StatusNames.ParseRunStatus(status);
            }
            catch (FormatException)
            {
                return Problems.BadRequest($"status: '{status}' is not a run status (waiting, running, succeeded, failed, cancelled)");
            }
        }

        var visible = await access.VisibleAsync(caller, cancellationToken);
        var query = new RunQuery(repo, wanted, branch, null, before, take + 1) { Repositories = visible.All ? null : visible.Names };
        var runs = await store.ListRunsAsync(query, cancellationToken);
        var page = runs.Take(take).Select(r => View(r, null)).ToList();
        return Results.Ok(new Page<RunView>(page, runs.Count > take ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static async Task<IResult> GetAsync(long id, IRunStore store, RunViewContext views, CancellationToken cancellationToken) =>
        await store.GetRunAsync(id, cancellationToken) is { } run
            ? Results.Ok(await ViewAsync(store, run, views, cancellationToken))
            : Problems.NotFound($"there is no run {id}");

    private static async Task<IResult> CancelAsync(
        long id, IRunStore store, RunCoordinator coordinator, RunViewContext views, Caller caller, AuditTrail audit, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(id, cancellationToken);
        if (run is null)
        {
            return Problems.NotFound($"there is no run {id}");
        }

        if (run.Status.HasEnded())
        {
            var ended = $"run {id} has already ended ({run.Status.ToWire()})";
            await audit.RecordOnRunAsync(caller, AuditActions.RunCancelled, run, AuditOutcomes.Failed, ended, cancellationToken);
            return Problems.Conflict(ended);
        }

        await coordinator.CancelRunAsync(id, "cancelled through the API", cancellationToken);
        await audit.RecordOnRunAsync(caller, AuditActions.RunCancelled, run, AuditOutcomes.Ok, null, cancellationToken);
        return Results.Accepted($"/api/v1/runs/{id}", await ViewAsync(store, (await store.GetRunAsync(id, cancellationToken))!, views, cancellationToken));
    }

    private static async Task<IResult> RerunAsync(long id, bool onlyFailed, Caller caller, StartDependencies deps, CancellationToken cancellationToken)
    {
        var run = await deps.Store.GetRunAsync(id, cancellationToken);
        if (run is null)
        {
            return Problems.NotFound($"there is no run {id}");
        }

        var repository = run.Repository is null || run.Trigger is null ? null : await deps.Repositories.GetRepositoryAsync(run.Repository, cancellationToken);
        var conflict = run switch
        {
            _ when repository is null => $"run {id} cannot run again: its repository is not on this server",
            { Status: RunStatus.Waiting, WaitingBehind: not null } => $"run {id} is held in its concurrency group ({run.PendingReason}): it has not run yet",
            { Status: RunStatus.Waiting } => $"run {id} is waiting for approval: approve or reject it (POST /api/v1/runs/{id}/approve or /reject)",
            { Status: RunStatus.Running or RunStatus.Succeeded } when onlyFailed =>
                $"run {id} is {run.Status.ToWire()}: only the jobs of a failed or cancelled run can run again",
            _ => null,
        };
        if (conflict is not null)
        {
            await deps.Audit.RecordOnRunAsync(caller, AuditActions.RunRerun, run, AuditOutcomes.Failed, conflict, cancellationToken);
            return Problems.Conflict(conflict);
        }

        var trigger = run.Trigger! with { IdempotencyKey = null, Sha = run.Sha };
        var result = await deps.Starter.StartAsync(repository!, trigger, new StartOptions(Explicit: true, Rerun: run, OnlyFailed: onlyFailed), cancellationToken);
        await deps.Audit.RecordStartAsync(caller, repository!.Name, result, run, onlyFailed, cancellationToken);
        return await AnswerAsync(result, deps.Store, deps.Views, cancellationToken);
    }

    internal static async Task<RunView> ViewAsync(IRunStore store, RunRecord run, RunViewContext views, CancellationToken cancellationToken)
    {
        var records = await store.GetJobsAsync(run.Id, cancellationToken);
        var reasons = PendingReasons.Of(
            run, records, await views.WorkersAsync(cancellationToken), views.Time.GetUtcNow(), await views.RepositoryLoadAsync(run, records, cancellationToken));
        var attempts = (await views.Overview.GetAttemptsOfRunAsync(run.Id, cancellationToken)).ToLookup(a => a.JobId);
        var agents = views.Agents is { } kept ? AgentView.Of(await kept.GetAgentSessionsAsync(run.Id, cancellationToken)) : [];
        var gates = await GatesAsync(records, views, cancellationToken);
        var jobs = new List<JobView>();
        foreach (var job in records)
        {
            var steps = await store.GetStepsAsync(job.Id, cancellationToken);
            jobs.Add(new JobView(job.Id, job.Name, job.Status.ToWire(), job.Attempt, job.ExitCode, job.FailureClass?.ToWire(), job.FailureDetail,
                job.StartedAt, job.FinishedAt,
                steps.Select(s => new StepView(s.Index, s.Name, s.Status.ToString().ToLowerInvariant(), s.ExitCode, s.StartedAt, s.FinishedAt)).ToList())
            {
                PendingReason = reasons.TryGetValue(job.Id, out var reason) ? new PendingReasonView(reason.KindWire, reason.Text) : null,
                Runner = JobFacts.RunnerOf(job),
                Worker = attempts[job.Id].FirstOrDefault()?.Worker,
                Attempts = [.. attempts[job.Id].Select(AttemptView.Of)],
                Agent = agents.GetValueOrDefault(job.Id),
                Gate = gates.GetValueOrDefault(job.Id),
            });
        }

        var pullRequests = views.PullRequests is { } published ? await published.GetPullRequestsAsync(run.Id, cancellationToken) : null;
        return View(run, jobs) with
        {
            PullRequests = pullRequests?.Select(p => new PullRequestView(p.JobId, p.Number, p.Url, p.Branch, p.Draft, p.Checks, p.ChecksDetail, p.Describe())).ToList(),
        };
    }

    /// <summary>The gates of the run's approval jobs that opened, by job id; nothing read for a run without one.</summary>
    private static async Task<Dictionary<long, GateView>> GatesAsync(IReadOnlyList<JobRecord> jobs, RunViewContext views, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, GateView>();
        if (views.Gates is not { } store || jobs.Count == 0)
        {
            return found;
        }

        IReadOnlyList<Core.Gates.ApprovalRecord>? approvals = null;
        foreach (var job in jobs.Where(j => JobFacts.KindOf(j) == "approval"))
        {
            if (await store.GetGateAsync(job.Id, cancellationToken) is { } gate)
            {
                approvals ??= await store.GetApprovalsAsync(job.RunId, cancellationToken);
                found[job.Id] = GateView.Of(gate, approvals);
            }
        }

        return found;
    }

    internal static RunView View(RunRecord run, IReadOnlyList<JobView>? jobs) => new(
        run.Id, run.Number, run.Repository, run.PipelineName, run.Event, run.Ref, run.Sha, run.Status.ToWire(),
        run.FailureClass?.ToWire(), run.Errors, run.CreatedAt, run.StartedAt, run.FinishedAt, run.RerunOf, run.CancelRequested,
        run.ConcurrencyGroup, run.Trigger?.PullRequest?.Number, run.Trigger?.IsFork == true, jobs)
    {
        PendingReason = run.PendingReason,
        WaitingBehind = run.WaitingBehind,
        CancelReason = run.CancelReason,
        TraceId = Core.Telemetry.RunTrace.TraceIdOf(run.TraceParent),
    };
}

/// <summary>What starting a run through the API needs, taken from the services as one parameter.</summary>
internal sealed record StartDependencies(IRunStore Store, IRepositoryStore Repositories, RunStarter Starter, RunViewContext Views, AuditTrail Audit);
