using Cairn.Core.Engine;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Cairn.Server.Workers;

/// <summary>The calls a worker over HTTP makes about a lease it holds (<see cref="WorkerPaths.OfLease"/>): heartbeat, the
/// cancel long poll, log batches, steps, why the job waits on its executor, the job's secrets and its outcome; and which
/// leases still live.</summary>
public sealed class WorkerLeaseCalls(
    WorkerLeases leases, WorkerLeasing leasing, WorkerLogIntake logs, IJobQueue queue, IRunStore runs, ILeaseRecords records, ILeaseLiveness liveness,
    ServerSecretSource secrets, RunCoordinator coordinator, ServerSettings settings, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public async Task<IResult> HeartbeatAsync(Caller caller, Guid leaseId, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        await leasing.TouchAsync(caller.Worker!, context, cancellationToken);
        var state = await queue.ExtendAsync(lease, cancellationToken);
        if (state == LeaseState.Lost)
        {
            return WorkerLeases.LeaseLost(leaseId);
        }

        var reason = state == LeaseState.CancelRequested ? (await runs.GetRunAsync(lease.RunId, cancellationToken))?.CancelReason : null;
        return Answer(new HeartbeatAnswer(state, time.GetUtcNow() + settings.Lease, reason));
    }

    public async Task<IResult> CancelAsync(Caller caller, Guid leaseId, int? wait, CancellationToken cancellationToken)
    {
        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        // The wait starts before the run is read, so a cancel requested in between is not missed.
        // A stopping server ends the wait at once and answers what it knows (see WorkerLeasing).
        var stopping = lifetime.ApplicationStopping;
        using var until = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        var waiting = queue.WaitForCancelRequestAsync(lease.RunId, TimeSpan.FromSeconds(Math.Clamp(wait ?? WorkerLeasing.MaxWaitSeconds, 0, WorkerLeasing.MaxWaitSeconds)), until.Token);
        var run = await runs.GetRunAsync(lease.RunId, cancellationToken);
        if (run is { CancelRequested: false })
        {
            try
            {
                await waiting;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
            }

            run = await runs.GetRunAsync(lease.RunId, cancellationToken);
        }
        else
        {
            await until.CancelAsync();
            await waiting.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (await records.GetLeaseAsync(leaseId, cancellationToken) is not { Running: true } now)
        {
            return WorkerLeases.LeaseLost(leaseId);
        }

        return run is { CancelRequested: true }
            ? Answer(new HeartbeatAnswer(LeaseState.CancelRequested, now.ExpiresAt, run.CancelReason))
            : Answer(new HeartbeatAnswer(LeaseState.Held, now.ExpiresAt, null));
    }

    public async Task<IResult> LogAsync(Caller caller, Guid leaseId, LogBatch? batch, CancellationToken cancellationToken)
    {
        if (batch?.Lines is null)
        {
            return Problems.BadRequest("send a log batch: {\"first\", \"lines\"}");
        }

        if (WorkerLogIntake.TooBig(batch) is { } tooBig)
        {
            return Results.Problem(tooBig, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The batch is too big");
        }

        if (batch.First < 1)
        {
            return Problems.BadRequest("a batch's first line number is 1 or more");
        }

        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        return await logs.TakeAsync(lease, batch, cancellationToken) is { } stored
            ? TypedResults.Json(new LogAck(stored), WorkerProtocolJson.Default.LogAck)
            : Results.Problem("another server wrote lines of this job at the same time: send the batch again", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public async Task<IResult> StepAsync(Caller caller, Guid leaseId, StepReport? step, CancellationToken cancellationToken)
    {
        if (step is null || step.Index < 0 || string.IsNullOrEmpty(step.Name))
        {
            return Problems.BadRequest("send a step: {\"index\", \"name\", \"status\", …}");
        }

        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        await runs.SaveStepAsync(new StepRecord(lease.JobId, step.Index, step.Name, step.Status, step.ExitCode, step.StartedAt, step.FinishedAt), cancellationToken);
        Core.Telemetry.CairnMeasurements.StepEnded(step.Status, step.StartedAt, step.FinishedAt);
        return Results.NoContent();
    }

    /// <summary>Keeps why the job's executor cannot start it yet as its pending reason, while this lease holds it.</summary>
    public async Task<IResult> WaitingAsync(Caller caller, Guid leaseId, WaitingReport? report, CancellationToken cancellationToken)
    {
        if (report is null)
        {
            return Problems.BadRequest("send the reason: {\"reason\": \"…\"} (null once the job is under way)");
        }

        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        var reason = report.Reason is { Length: > WaitingReport.MaxLength } longer ? longer[..WaitingReport.MaxLength] : report.Reason;
        var kept = string.IsNullOrWhiteSpace(reason) ? null : await logs.MaskReasonAsync(lease, reason, cancellationToken);
        return await runs.SetPendingReasonAsync(lease.JobId, leaseId, kept, cancellationToken)
            ? Results.NoContent()
            : WorkerLeases.LeaseLost(leaseId);
    }

    /// <summary>Which of the leases asked about still hold their job, whichever worker holds them: a janitor's question.</summary>
    public async Task<IResult> LiveAsync(Caller caller, LiveLeasesRequest? request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (request?.LeaseIds is null)
        {
            return Problems.BadRequest("send the lease ids: {\"leaseIds\": [\"…\"]}");
        }

        if (request.LeaseIds.Count > LiveLeasesRequest.MaxLeases)
        {
            return Problems.BadRequest($"ask about at most {LiveLeasesRequest.MaxLeases} leases at once");
        }

        var live = await liveness.LiveAsync(request.LeaseIds, cancellationToken);
        return TypedResults.Json(new LiveLeasesAnswer([.. request.LeaseIds.Distinct().Where(live.Contains)]), WorkerProtocolJson.Default.LiveLeasesAnswer);
    }

    /// <summary>The secrets the job's definition declares and no other, each read audited as the server's own workers'
    /// are; one that is not set is left out (the worker fails the job as one of its configuration).</summary>
    public async Task<IResult> SecretsAsync(Caller caller, Guid leaseId, CancellationToken cancellationToken)
    {
        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return refusal!;
        }

        var run = await runs.GetRunAsync(lease.RunId, cancellationToken);
        if (run is null)
        {
            return WorkerLeases.LeaseLost(leaseId);
        }

        var declared = JobDefinitionJson.Deserialize(lease.Job.Definition).Secrets;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (declared.Count > 0 && await secrets.RefusalAsync(run, cancellationToken) is { } refused)
        {
            return TypedResults.Json(new SecretGrant(values, refused), WorkerProtocolJson.Default.SecretGrant);
        }

        foreach (var name in declared)
        {
            if (await secrets.HandOutAsync(run, lease.Job, name, caller.Worker!.Name, caller.ClientAddress, cancellationToken) is { } value)
            {
                values[name] = value;
            }
        }

        return TypedResults.Json(new SecretGrant(values, null), WorkerProtocolJson.Default.SecretGrant);
    }

    /// <summary>Ends the lease with the outcome (compare-and-set on its id) and moves the run on. Sent again after a lost
    /// answer, the attempt kept under the lease is this report's, and it answers as the first did.</summary>
    public async Task<IResult> CompleteAsync(Caller caller, Guid leaseId, CompletionReport? report, CancellationToken cancellationToken)
    {
        if (report is null)
        {
            return Problems.BadRequest("send the outcome: {\"status\", \"startedAt\", \"finishedAt\", …}");
        }

        var completion = report.ToCompletion();
        if (completion.RetryAt is null && !completion.Status.IsTerminal())
        {
            return Problems.BadRequest($"an attempt ends succeeded, failed or cancelled, or is retried; not '{completion.Status.ToWire()}'");
        }

        var (found, refusal) = await leases.FindAsync(caller, leaseId, cancellationToken);
        if (found is null)
        {
            return refusal!;
        }

        var written = false;
        if (found.Running && await runs.GetJobAsync(found.JobId, cancellationToken) is { } job)
        {
            var lease = new JobLease(found.JobId, found.RunId, found.LeaseId, found.Owner!, found.Attempt, found.ExpiresAt ?? default, job);
            written = await queue.CompleteAsync(lease, completion, CancellationToken.None);
            logs.Forget(lease);
            if (written)
            {
                // The worker over HTTP records nothing the server shows: the server counts its jobs here, once.
                Core.Telemetry.CairnMeasurements.AttemptEnded(completion);
                if (completion.QueuedAt is { } queuedAt)
                {
                    Core.Telemetry.CairnMeasurements.Leased(completion.Executor ?? "none", completion.StartedAt - queuedAt);
                }
            }
        }

        if (!written && !await WasWrittenAsync(found, completion, cancellationToken))
        {
            return WorkerLeases.LeaseLost(leaseId);
        }

        await coordinator.AdvanceAsync(found.RunId, found.JobId, CancellationToken.None);
        return TypedResults.Json(new CompletionAnswer(true), WorkerProtocolJson.Default.CompletionAnswer);
    }

    /// <summary>Whether the attempt kept under the lease is the one this report wrote (not the reaper's).</summary>
    private async Task<bool> WasWrittenAsync(LeaseRecord lease, JobCompletion completion, CancellationToken cancellationToken)
    {
        if (await records.GetAttemptAsync(lease.JobId, lease.Attempt, cancellationToken) is not { } attempt)
        {
            return false;
        }

        var status = completion.RetryAt is null ? completion.Status : JobStatus.Failed;
        return string.Equals(attempt.Worker, lease.Owner, StringComparison.Ordinal)
            && attempt.Status == status
            && attempt.StartedAt == Truncate(completion.StartedAt)
            && attempt.FinishedAt == Truncate(completion.FinishedAt)
            && attempt.ExitCode == completion.ExitCode;
    }

    private static DateTimeOffset Truncate(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<HeartbeatAnswer> Answer(HeartbeatAnswer answer) => TypedResults.Json(answer, WorkerProtocolJson.Default.HeartbeatAnswer);
}
