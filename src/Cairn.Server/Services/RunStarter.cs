using System.Diagnostics;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Telemetry;
using Cairn.Core.Triggers;
using Cairn.Git;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>How starting a run from a trigger ended.</summary>
public abstract record StartResult
{
    private StartResult()
    {
    }

    /// <summary>A run was recorded: planned and started, or failed before any job (an invalid pipeline, a commit that
    /// could not be fetched) so that nobody is left wondering.</summary>
    public sealed record Started(RunRecord Run) : StartResult;

    /// <summary>Nothing to run, and why (the pipeline's <c>on:</c> does not take this event, there is no .cairn.yml).</summary>
    public sealed record Ignored(string Reason) : StartResult;

    /// <summary>A person asked for something that cannot be (a missing required input): nothing recorded.</summary>
    public sealed record Refused(string Reason) : StartResult;
}

/// <summary>What a start may carry besides the trigger.</summary>
/// <param name="Explicit">A person asked (manual, rerun): problems are refused to them rather than recorded.</param>
/// <param name="Rerun">The run this one runs again; with <paramref name="OnlyFailed"/>, its succeeded jobs that nothing
/// failed upstream of are carried over instead of run.</param>
public sealed record StartOptions(bool Explicit = false, RunRecord? Rerun = null, bool OnlyFailed = false)
{
    /// <summary>The W3C traceparent of the span that received the trigger (a webhook delivery's): the run joins its
    /// trace. Null: the run's trace starts here, with a <c>run.start</c> root.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>From a trigger to a started run: fetch the commit into the repository's mirror, read <c>.cairn.yml</c> at it,
/// let <c>on:</c> decide, plan, record, cancel what a concurrency group says is superseded, and queue the first jobs.
/// One path for webhooks, schedules, manual runs and reruns. A pull request from a fork follows the repository's
/// <see cref="ForkPullRequestPolicy"/>: its run waits for a maintainer (and supersedes nothing until approved), starts, or
/// is not made; a rerun, which the admin asks for, always starts.</summary>
public sealed partial class RunStarter(
    IRunStore runs,
    IScheduleStore schedules,
    RepositorySecrets secrets,
    GitMirror git,
    RunCoordinator coordinator,
    SupersededRuns superseded,
    RunnerCatalog runners,
    TimeProvider time,
    ILogger<RunStarter> log)
{
    /// <summary>Why a pull request from a fork starts nothing in a repository that ignores them.</summary>
    public const string ForksIgnored = "pull requests from forks are ignored by this repository's settings";

    public async Task<StartResult> StartAsync(RepositoryRecord repository, TriggerEvent trigger, StartOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(options);

        // A run not started by a webhook gets a root of its own (a rerun's links to the run it reran); the planning is a
        // child of the root, and the run keeps the root's context (RunTrace.Capture) for its jobs and statuses.
        using var root = options.TraceParent is null
            ? RunTrace.StartRoot(CairnTelemetry.Spans.RunStarted, ActivityKind.Internal, options.Rerun?.TraceParent)
            : null;
        root?.SetTag(CairnTelemetry.Attributes.Event, trigger.EventName);
        using var plan = RunTrace.StartChild(CairnTelemetry.Spans.Plan, options.TraceParent).Describe(null, null, repository.Name);
        root.Describe(null, null, repository.Name);
        var result = await PlanAndStartAsync(repository, trigger, options, cancellationToken);
        if (result is StartResult.Started { Run: var run })
        {
            plan.Describe(run.Id);
            root.Describe(run.Id);
            using var scope = log.BeginScope(LogScope(run.Id));
            var status = run.Status.ToWire();
            LogStarted(log, run.Id, repository.Name, status);
            if (run.Status == RunStatus.Failed)
            {
                // Made already ended (its pipeline is not valid, its commit could not be fetched): no coordinator ends it.
                CairnMeasurements.RunEnded(run);
                plan.Fail(run.FailureClass, run.Errors.Count > 0 ? run.Errors[0] : null);
                root.Fail(run.FailureClass, run.Errors.Count > 0 ? run.Errors[0] : null);
            }
        }

        return result;
    }

    /// <summary>A logging scope naming a run: its lines carry <c>run_id</c> in the JSON logs.</summary>
    internal static Dictionary<string, object?> LogScope(long runId) => new(StringComparer.Ordinal) { [JsonLineFormatter.RunIdKey] = runId };

    private async Task<StartResult> PlanAndStartAsync(RepositoryRecord repository, TriggerEvent trigger, StartOptions options, CancellationToken cancellationToken)
    {
        if (trigger.IsFork && options.Rerun is null && repository.ForkPullRequests == ForkPullRequestPolicy.Ignore)
        {
            return options.Explicit ? new StartResult.Refused(ForksIgnored) : new StartResult.Ignored(ForksIgnored);
        }

        var token = secrets.ForgeToken(repository);
        trigger = trigger with { Repository = repository.Name, Ref = FullRef(trigger.Ref ?? $"refs/heads/{repository.DefaultBranch}") };

        string sha;
        try
        {
            sha = trigger.Sha ?? await git.ResolveRefAsync(repository.Name, repository.CloneUrl, token, trigger.Ref!, cancellationToken);
            trigger = trigger with { Sha = sha };
            await git.EnsureCommitAsync(repository.Name, repository.CloneUrl, token, sha, trigger.Ref, cancellationToken);
        }
        catch (GitException ex)
        {
            LogFetchFailed(log, repository.Name, ex.Message);
            if (options.Explicit && trigger.Sha is null)
            {
                return new StartResult.Refused(ex.Message);
            }

            return new StartResult.Started(await runs.CreateFailedRunAsync(
                PipelineLoader.DefaultName, trigger, FailureClass.Infra, [ex.Message], time.GetUtcNow(), cancellationToken));
        }

        string? text;
        try
        {
            text = await git.ReadFileAsync(repository.Name, sha, PipelineLoader.DefaultFileName, cancellationToken);
        }
        catch (GitFileTooLargeException ex)
        {
            // Refused before it is read: a file that compresses well costs nothing to push and a lot to parse.
            var tooLarge = $"{PipelineLoader.TooLarge(PipelineLoader.DefaultFileName, ex.Size, ex.Limit)} (--max-pipeline-size)";
            return new StartResult.Started(await runs.CreateFailedRunAsync(
                PipelineLoader.DefaultName, trigger, FailureClass.Config, [tooLarge], time.GetUtcNow(), cancellationToken));
        }

        if (text is null)
        {
            var reason = $"there is no {PipelineLoader.DefaultFileName} at {Short(sha)}";
            return options.Explicit ? new StartResult.Refused(reason) : new StartResult.Ignored(reason);
        }

        var loaded = PipelineLoader.Load(text, PipelineLoader.DefaultFileName);
        if (!loaded.IsValid)
        {
            return new StartResult.Started(await runs.CreateFailedRunAsync(
                NameOf(text), trigger, FailureClass.Config, loaded.Errors.Select(e => e.ToString()).ToList(), time.GetUtcNow(), cancellationToken));
        }

        var pipeline = loaded.Pipeline!;
        if (trigger.Kind == TriggerKind.Push && trigger.Branch == repository.DefaultBranch)
        {
            await RegisterSchedulesAsync(repository.Name, pipeline, cancellationToken);
        }

        if (options.Rerun is null)
        {
            // Changed paths cost a diff (and perhaps a fetch of the base); only a paths: filter reads them.
            var filtersPaths = trigger.Kind switch
            {
                TriggerKind.Push => pipeline.On.Push?.Paths.Count > 0,
                TriggerKind.PullRequest => pipeline.On.PullRequest?.Paths.Count > 0,
                _ => false,
            };
            var changed = filtersPaths ? await ChangedPathsAsync(repository, token, trigger, cancellationToken) : null;
            var decision = TriggerFilter.Accepts(pipeline.On, trigger, changed);
            if (!decision.Run)
            {
                return options.Explicit ? new StartResult.Refused(decision.Reason) : new StartResult.Ignored(decision.Reason);
            }
        }

        var planned = RunPlanner.Plan(pipeline, trigger, new PlanOptions(Runners: runners));
        if (planned.Plan is not { } plan)
        {
            return options.Explicit
                ? new StartResult.Refused(string.Join("; ", planned.Errors))
                : new StartResult.Started(await runs.CreateFailedRunAsync(pipeline.Name, trigger, FailureClass.Config, planned.Errors, time.GetUtcNow(), cancellationToken));
        }

        plan = plan with
        {
            ConcurrencyGroup = planned.ConcurrencyGroup,
            CancelInProgress = planned.CancelInProgress,
            RerunOf = options.Rerun?.Id,
            PendingReason = PendingReason(repository, trigger, options),
        };
        if (options.Rerun is { } previous && options.OnlyFailed)
        {
            plan = await CarryOverAsync(plan, previous, cancellationToken);
        }

        // A run that waits for approval supersedes nothing until it is approved and starts (RunApprovals).
        var run = await coordinator.StartRunAsync(plan, cancellationToken);
        if (run.Status == RunStatus.Running)
        {
            await superseded.CancelOlderInGroupAsync(run, cancellationToken);
        }

        return new StartResult.Started(run);
    }

    /// <summary>Registers the crons of the repository's default branch, read from its head.</summary>
    public async Task RefreshSchedulesAsync(RepositoryRecord repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var token = secrets.ForgeToken(repository);
        var sha = await git.ResolveRefAsync(repository.Name, repository.CloneUrl, token, $"refs/heads/{repository.DefaultBranch}", cancellationToken);
        var text = await git.ReadFileAsync(repository.Name, sha, PipelineLoader.DefaultFileName, cancellationToken);
        var loaded = text is null ? null : PipelineLoader.Load(text, PipelineLoader.DefaultFileName);
        if (loaded?.Pipeline is { } pipeline)
        {
            await RegisterSchedulesAsync(repository.Name, pipeline, cancellationToken);
        }
        else
        {
            await schedules.ReplaceSchedulesAsync(repository.Name, [], cancellationToken);
        }
    }

    private async Task RegisterSchedulesAsync(string repository, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var definitions = pipeline.On.Schedule
            .Select(s => (s, next: s.Expression.GetNextOccurrence(now)))
            .Where(x => x.next is not null)
            .Select(x => new ScheduleDefinition(pipeline.Name, x.s.Expression.Spec, x.next!.Value))
            .ToList();
        await schedules.ReplaceSchedulesAsync(repository, definitions, cancellationToken);
    }

    private async Task<IReadOnlyList<string>?> ChangedPathsAsync(RepositoryRecord repository, string? token, TriggerEvent trigger, CancellationToken cancellationToken)
    {
        var from = trigger.Kind switch
        {
            TriggerKind.Push => trigger.Before,
            TriggerKind.PullRequest => trigger.PullRequest?.BaseSha,
            _ => null,
        };
        if (from is null || trigger.Sha is null)
        {
            return null;
        }

        try
        {
            await git.EnsureCommitAsync(repository.Name, repository.CloneUrl, token, from, null, cancellationToken);
            return trigger.Kind == TriggerKind.PullRequest
                ? await git.PullRequestChangedPathsAsync(repository.Name, from, trigger.Sha, cancellationToken)
                : await git.ChangedPathsAsync(repository.Name, from, trigger.Sha, cancellationToken);
        }
        catch (GitException)
        {
            // A base that cannot be fetched (a force-push removed it): paths are unknown, so the run is not filtered.
            return null;
        }
    }

    /// <summary>Marks the jobs of a rerun-failed plan that may be carried over: those that succeeded last time and
    /// that no job to be run again is upstream of.</summary>
    private async Task<RunPlan> CarryOverAsync(RunPlan plan, RunRecord previous, CancellationToken cancellationToken)
    {
        var before = (await runs.GetJobsAsync(previous.Id, cancellationToken)).ToDictionary(j => j.Name, StringComparer.Ordinal);
        var again = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in plan.Jobs)
        {
            var last = before.GetValueOrDefault(job.Name);
            if (last is null || last.Status != JobStatus.Succeeded || job.Needs.Any(again.Contains))
            {
                again.Add(job.Name);
            }
        }

        return plan with
        {
            Jobs = plan.Jobs.Select(j => again.Contains(j.Name) ? j : j with { ReusedFrom = before[j.Name].Id }).ToList(),
        };
    }

    /// <summary>Why the run must wait for a maintainer, or null when it may start: only a pull request from a fork, in a
    /// repository that asks for approval, and not a rerun (the admin asked for that one).</summary>
    private static string? PendingReason(RepositoryRecord repository, TriggerEvent trigger, StartOptions options)
    {
        if (!trigger.IsFork || options.Rerun is not null || repository.ForkPullRequests != ForkPullRequestPolicy.Approve)
        {
            return null;
        }

        var author = trigger.PullRequest?.Author ?? trigger.Sender ?? "unknown";
        return $"a maintainer must approve runs of pull requests from forks (author {author})";
    }

    private static string FullRef(string gitRef) => gitRef.StartsWith("refs/", StringComparison.Ordinal) ? gitRef : $"refs/heads/{gitRef}";

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    // An invalid file may still say its name on a line of its own; statuses read better with it.
    private static string NameOf(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("name:", StringComparison.Ordinal) && line[5..].Trim().Trim('"', '\'') is { Length: > 0 and < 100 } name && !name.Contains(' ', StringComparison.Ordinal))
            {
                return name;
            }
        }

        return PipelineLoader.DefaultName;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} of {Repository} started: {Status}")]
    private static partial void LogStarted(ILogger logger, long runId, string repository, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not fetch for {Repository}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string repository, string reason);
}
