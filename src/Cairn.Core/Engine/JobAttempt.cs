using Cairn.Core.Artifacts;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;

namespace Cairn.Core.Engine;

/// <summary>One leased attempt at a job, from lease to recorded outcome. The outcome is always written,
/// with a token that neither shutdown nor cancellation can cancel.</summary>
internal sealed class JobAttempt(JobWorkerContext services, JobLease lease)
{
    private JobTrace? _trace;

    private JobRecord Job => lease.Job;

    /// <summary>The executor chosen for the job, once one is.</summary>
    private string? _executor;

    /// <summary>Runs the attempt and writes its outcome; returns the next lease when <paramref name="next"/> was given, the
    /// worker is not stopping, and a job was there to claim with the outcome.</summary>
    public async Task<JobLease?> RunAsync(TimeSpan heartbeat, CancellationToken aborting, bool releaseWhenAborted = false, NextClaim? next = null)
    {
        var time = services.Time;
        var startedAt = time.GetUtcNow();
        using var trace = new JobTrace(lease, startedAt, services.Log);
        _trace = trace;
        services.Observer.JobStarted(Job);

        // The heartbeat starts before the run is read: a cancel requested from now on reaches it, and one requested
        // earlier shows on the run.
        using var stopJob = CancellationTokenSource.CreateLinkedTokenSource(aborting);
        var beat = new LeaseHeartbeat(services.Queue, lease, lease.Heartbeat is { } asked && asked < heartbeat ? asked : heartbeat, stopJob);
        JobOutcome outcome;
        JobDefinitionJson? definition = null;
        JobReporter? reporter = null;
        try
        {
            definition = JobDefinitionJson.Deserialize(Job.Definition);

            // An agent job given back by its budget runs the same attempt again later, after the lines it logged.
            var lastSequence = lease.Attempt > 1 || IsAgent(definition)
                ? await services.Store.GetLastLogSequenceAsync(Job.Id, CancellationToken.None)
                : 0;
            var run = await services.Store.GetRunAsync(lease.RunId, CancellationToken.None)
                ?? throw new InvalidOperationException($"run {lease.RunId} of job {Job.Id} does not exist");
            if (run.CancelRequested)
            {
                await beat.StopForCancelAsync();
            }

            var (secrets, secretError) = await ResolveSecretsAsync(run, definition, stopJob.Token);
            var masker = new SecretMasker(secrets, await services.Secrets.AlsoMaskAsync(run, CancellationToken.None));
            reporter = new JobReporter(Job, lastSequence, services.Store, services.Observer, masker, time, services.MaxLogBytes, lease.LeaseId);
            if (IsAgent(definition) && await RefusedByBudgetAsync(run, reporter, stopJob.Token))
            {
                // Given back to the queue: this attempt has no outcome; the next lease runs it when the budget allows.
                await reporter.DisposeAsync();
                await beat.DisposeAsync();
                return null;
            }

            outcome = await RunResolvedAsync(run, definition, secrets, secretError, reporter, stopJob.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var detail = $"the job could not run: {ex.Message}";
            reporter?.System(0, time.GetUtcNow(), $"error: {detail}");
            outcome = JobOutcome.Failed(FailureClass.Infra, detail);
        }

        if (reporter is not null)
        {
            await reporter.DisposeAsync();
            if (reporter.WriteFailure is { } lost)
            {
                // The job ran and its outcome is recorded; that its log is incomplete (a full disk, say) must show too.
                var note = $"part of its log could not be stored: {lost.Message}";
                outcome = outcome with { Detail = outcome.Detail is null ? note : $"{outcome.Detail}; {note}" };
            }
        }

        await beat.DisposeAsync();
        if (beat.Lost)
        {
            outcome = JobOutcome.Failed(FailureClass.Infra, "the job's lease was lost (another worker may have taken it over)");
        }
        else if (beat.CancelRequested && outcome.Status != JobStatus.Succeeded)
        {
            // Whatever stopping it looked like to the executor (a killed step, an aborted workspace), the run was cancelled.
            outcome = outcome with { Status = JobStatus.Cancelled, FailureClass = FailureClass.Cancelled, Detail = await CancelReasonAsync() };
        }
        else if (releaseWhenAborted && aborting.IsCancellationRequested && outcome.Status != JobStatus.Succeeded)
        {
            // The worker is going away, not the job: another worker runs it from the start.
            outcome = JobOutcome.Failed(FailureClass.Infra, "the worker stopped before the job ended");
            await FinishAsync(definition, outcome, startedAt, next: null, releaseAt: time.GetUtcNow());
            return null;
        }

        return await FinishAsync(definition, outcome, startedAt, aborting.IsCancellationRequested ? null : next);
    }

    private static bool IsAgent(JobDefinitionJson definition) => string.Equals(definition.Kind, "agent", StringComparison.Ordinal);

    /// <summary>When the repository's daily agent budget refuses the job, gives it back until the budget allows it.</summary>
    private async Task<bool> RefusedByBudgetAsync(RunRecord run, JobReporter reporter, CancellationToken cancellationToken)
    {
        if (services.AgentBudget is not { } budget || await budget.RefusalAsync(run.Repository ?? "", cancellationToken) is not { } refusal)
        {
            return false;
        }

        reporter.System(0, services.Time.GetUtcNow(), $"not started: {refusal.Reason}");
        await services.Queue.DeferAsync(lease, refusal.Until, refusal.Reason, CancellationToken.None);
        return true;
    }

    /// <summary>On a later attempt of an agent job, whether it goes on with the previous attempt's session.</summary>
    private async Task<JobSpec> WithResumeAsync(JobSpec spec, JobDefinitionJson definition, JobReporter reporter, CancellationToken cancellationToken)
    {
        if (!IsAgent(definition) || lease.Attempt <= 1)
        {
            return spec;
        }

        var previous = await services.Store.GetAgentSessionAsync(Job.Id, lease.Attempt - 1, cancellationToken);
        if (AgentResumption.For(Job.FailureClass, previous) is not { } resume)
        {
            reporter.System(0, services.Time.GetUtcNow(), "the agent starts a new session");
            return spec;
        }

        reporter.System(0, services.Time.GetUtcNow(), $"the agent resumes session {resume.SessionId} of attempt {lease.Attempt - 1}");
        return spec.Agent is { } agent ? spec with { Agent = agent with { Resume = resume } } : spec;
    }

    private async Task<string> CancelReasonAsync()
    {
        const string unknown = "the run was cancelled";
        try
        {
            return (await services.Store.GetRunAsync(lease.RunId, CancellationToken.None))?.CancelReason ?? unknown;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome matters more than its wording.
            return unknown;
        }
    }

    private async Task<JobOutcome> RunResolvedAsync(
        RunRecord run,
        JobDefinitionJson definition,
        IReadOnlyDictionary<string, string> secrets,
        string? secretError,
        JobReporter reporter,
        CancellationToken stopJob)
    {
        var time = services.Time;
        if (lease.Attempt > 1)
        {
            reporter.System(0, time.GetUtcNow(), $"this is attempt {lease.Attempt} of the job");
        }

        if (stopJob.IsCancellationRequested)
        {
            return new JobOutcome(JobStatus.Cancelled, null, FailureClass.Cancelled, "job was cancelled", []);
        }

        var choice = services.Executors.Resolve(Job, definition);
        _executor = choice.Executor?.Name;
        if (lease.QueuedAt is { } queuedAt)
        {
            CairnMeasurements.Leased(CairnMeasurements.Executor(_executor), time.GetUtcNow() - queuedAt);
        }
        _trace?.Describe(run.Repository);
        if (choice.Warning is { } warning)
        {
            reporter.System(0, time.GetUtcNow(), warning);
        }

        var configError = secretError ?? choice.Error;
        if (configError is not null)
        {
            reporter.System(0, time.GetUtcNow(), $"error: {configError}");
            return JobOutcome.Failed(FailureClass.Config, configError);
        }

        var outcome = await ExecuteAsync(choice, run, definition, secrets, reporter, stopJob);
        return ClassifyFromLog(outcome, reporter);
    }

    private async Task<JobOutcome> ExecuteAsync(
        ExecutorChoice choice,
        RunRecord run,
        JobDefinitionJson definition,
        IReadOnlyDictionary<string, string> secrets,
        JobReporter reporter,
        CancellationToken stopJob)
    {
        if (choice.Executor is IFetchesOwnSource own)
        {
            return await ExecuteAwayAsync(own, choice, run, definition, secrets, reporter, stopJob);
        }

        string workspace;
        try
        {
            workspace = await services.Workspaces.PrepareAsync(Job, run, stopJob);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var detail = $"the workspace could not be prepared: {ex.Message}";
            reporter.System(0, services.Time.GetUtcNow(), $"error: {detail}");
            return JobOutcome.Failed(FailureClass.Infra, detail);
        }

        try
        {
            var spec = JobSpecBuilder.Build(run, Job, lease.Attempt, definition, workspace, secrets, choice, lease.LeaseId) with { Files = await FilesAsync(run, definition, reporter, stopJob) };
            spec = await WithResumeAsync(spec, definition, reporter, stopJob);
            return await choice.Executor!.RunAsync(spec, reporter, stopJob);
        }
        finally
        {
            await services.Workspaces.ReleaseAsync(Job, workspace, CancellationToken.None);
        }
    }

    /// <summary>A job whose executor brings the run's commit in itself: no local workspace; the spec says where to fetch.</summary>
    private async Task<JobOutcome> ExecuteAwayAsync(
        IFetchesOwnSource own,
        ExecutorChoice choice,
        RunRecord run,
        JobDefinitionJson definition,
        IReadOnlyDictionary<string, string> secrets,
        JobReporter reporter,
        CancellationToken stopJob)
    {
        JobSource? source = null;
        if (run.Repository is not null)
        {
            if (services.Sources is not { } sources)
            {
                const string detail = "this job's executor fetches the run's source from a Cairn server, and this worker has none to hand it out";
                reporter.System(0, services.Time.GetUtcNow(), $"error: {detail}");
                return JobOutcome.Failed(FailureClass.Config, detail);
            }

            try
            {
                source = await sources.IssueAsync(lease, run, stopJob);
            }
            catch (InvalidOperationException ex)
            {
                var detail = $"the job's source cannot be handed out: {ex.Message}";
                reporter.System(0, services.Time.GetUtcNow(), $"error: {detail}");
                return JobOutcome.Failed(FailureClass.Config, detail);
            }
        }

        var spec = JobSpecBuilder.Build(run, Job, lease.Attempt, definition, own.WorkspacePath, secrets, choice, lease.LeaseId)
            with { Source = source, Files = await FilesAsync(run, definition, reporter, stopJob) };
        return await choice.Executor!.RunAsync(spec, reporter, stopJob);
    }

    /// <summary>What the job brings in and keeps, with the attempt's stash; null when there is nothing, or no stash (said
    /// in the log when the job asked for artifacts or caches).</summary>
    private async Task<JobFiles?> FilesAsync(RunRecord run, JobDefinitionJson definition, JobReporter reporter, CancellationToken cancellationToken)
    {
        var artifacts = definition.Artifacts?.ToRule();
        var caches = definition.Caches.Select(c => c.ToRule()).ToList();
        if (artifacts is null && caches.Count == 0 && Job.Needs.Count == 0)
        {
            return null;
        }

        if (services.Stashes is not { } stashes)
        {
            if (artifacts is not null || caches.Count > 0)
            {
                reporter.System(0, services.Time.GetUtcNow(), "warning: this worker keeps no artifacts or caches: the job's artifacts: and cache: are skipped");
            }

            return null;
        }

        // Only the needed jobs that kept something are named, so that an executor brings files in only when there are
        // some (a pod holds its first step for them).
        var stash = stashes.For(lease, run);
        var needed = Job.Needs.Count == 0 ? [] : await stash.ListNeededAsync(Job.Needs, cancellationToken);
        var needs = needed.Select(s => s.JobName).Distinct(StringComparer.Ordinal).ToList();
        return artifacts is null && caches.Count == 0 && needs.Count == 0 ? null : new JobFiles(stash, needs, artifacts, caches) { Needed = needed };
    }

    /// <summary>Names a <c>script</c> failure <c>test</c>, <c>build</c> or <c>lint</c> when the failed step's last lines say so.</summary>
    private JobOutcome ClassifyFromLog(JobOutcome outcome, JobReporter reporter)
    {
        if (outcome is not { Status: JobStatus.Failed, FailureClass: FailureClass.Script })
        {
            return outcome;
        }

        var failedStep = outcome.Steps.ToList().FindIndex(s => s.Status == StepStatus.Failed);
        int? stepIndex = failedStep >= 0 ? failedStep : null;
        if (FailureClassifier.Classify(reporter.Tail(stepIndex)) is not { } found)
        {
            return outcome;
        }

        reporter.System(stepIndex ?? 0, services.Time.GetUtcNow(), $"the failure looks like {found.Class.ToWire()}: {found.Detail}");
        var detail = outcome.Detail is null ? found.Detail : $"{found.Detail}; {outcome.Detail}";
        return outcome with { FailureClass = found.Class, Detail = detail };
    }

    private async Task<(IReadOnlyDictionary<string, string> Values, string? Error)> ResolveSecretsAsync(
        RunRecord run, JobDefinitionJson definition, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (definition.Secrets.Count > 0 && await services.Secrets.RefusalAsync(run, cancellationToken) is { } refusal)
        {
            return (values, $"secret '{definition.Secrets[0]}' cannot be read: {refusal}");
        }

        foreach (var name in definition.Secrets)
        {
            var value = await services.Secrets.GetAsync(run, Job, name, cancellationToken);
            if (value is null)
            {
                var scope = run.Repository is null ? "this run" : run.Repository;
                return (values, $"secret '{name}' is not defined for {scope}");
            }

            values[name] = value;
        }

        return (values, null);
    }

    private async Task<JobLease?> FinishAsync(
        JobDefinitionJson? definition, JobOutcome outcome, DateTimeOffset startedAt, NextClaim? next, DateTimeOffset? releaseAt = null)
    {
        var finishedAt = services.Time.GetUtcNow();
        var retryAt = releaseAt;
        if (retryAt is null && outcome.Status == JobStatus.Failed && outcome.FailureClass is { } failureClass)
        {
            var delay = services.Retry.NextDelay(definition?.Retry, failureClass, lease.Attempt);
            retryAt = delay is { } d ? finishedAt + d : null;
        }

        var completion = new JobCompletion(outcome.Status, outcome.ExitCode, outcome.FailureClass, outcome.Detail, startedAt, finishedAt, retryAt)
        {
            Executor = CairnMeasurements.Executor(_executor ?? CairnMeasurements.ExecutorOfDefinition(definition?.Kind)),
            FirstStepAt = outcome.Steps.Select(s => s.StartedAt).Where(s => s is not null).Min(),
            QueuedAt = lease.QueuedAt,
        };
        using var timeout = new CancellationTokenSource(services.FinalWriteTimeout);
        _trace?.End(completion);

        // The next lease rides on the completion's round trip, unless the worker takes no new job. A lease it takes just
        // before the process dies is an ordinary lease: the reaper gives it back when it runs out.
        var (written, nextLease) = next is { Stopping.IsCancellationRequested: false }
            ? await services.Queue.CompleteAndLeaseAsync(lease, completion, next.WorkerId, next.Labels, timeout.Token)
            : (await services.Queue.CompleteAsync(lease, completion, timeout.Token), null);
        if (written)
        {
            CairnMeasurements.AttemptEnded(completion);
            services.Observer.JobFinished(Job, completion);
            try
            {
                await services.Coordinator.AdvanceAsync(lease.RunId, lease.JobId, timeout.Token);
            }
            catch (Exception) when (nextLease is not null)
            {
                await GiveBackAsync(nextLease);
                throw;
            }
        }

        return nextLease;
    }

    /// <summary>Hands a lease that will not be run back to the queue at once, its attempt not counted; should that fail too,
    /// the reaper takes it back when it runs out.</summary>
    private async Task GiveBackAsync(JobLease unstarted)
    {
        try
        {
            await services.Queue.DeferAsync(unstarted, services.Time.GetUtcNow(), "its worker failed before starting it", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The reaper's turn.
        }
    }
}
