using System.Globalization;
using System.Net;
using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>The job queue of a worker that reaches its server over HTTP: a lease is a long poll, an extension a
/// heartbeat, a cancel wait a long poll, and an outcome is posted once the lease's spool is delivered. The server reaps
/// expired leases, so this side finds none.</summary>
public sealed class RemoteJobQueue(WorkerConnection connection, RemoteLeases leases, RemoteQueueOptions options, TextWriter? log = null) : IJobQueue
{
    private readonly TextWriter _log = log ?? TextWriter.Null;
    private int _paused;

    public async Task<JobLease?> TryLeaseAsync(string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        var request = new LeaseRequest(options.Instance, Slot(workerId), options.OfferIdentityLabels ? null : [.. labels], (int)options.LeaseWait.TotalSeconds);
        HttpStatusCode status;
        LeaseGrant? grant;
        try
        {
            (status, grant) = await connection.CallAsync(
                "asking for a job",
                HttpMethod.Post,
                WorkerPaths.Lease,
                WorkerConnection.Json(request, WorkerProtocolJson.Default.LeaseRequest),
                WorkerProtocolJson.Default.LeaseGrant,
                options.LeaseWait,
                giveUpAfter: null,
                cancellationToken);
        }
        catch (WorkerCallException ex) when (ex.ProblemType == WorkerProblems.Paused)
        {
            // Paused: no new jobs, and nothing to retry until an administrator resumes the worker.
            if (Interlocked.Exchange(ref _paused, 1) == 0)
            {
                await _log.WriteLineAsync("cairn worker: the server has paused this worker: it takes no new jobs until it is resumed");
            }

            await Task.Delay(options.LeaseWait, cancellationToken);
            return null;
        }

        if (Interlocked.Exchange(ref _paused, 0) == 1)
        {
            await _log.WriteLineAsync("cairn worker: the server has resumed this worker");
        }

        if (status == HttpStatusCode.NoContent || grant is null)
        {
            return null;
        }

        var lease = new RemoteLease(grant, NewSpool(grant));
        leases.Add(lease);
        return new JobLease(grant.Job.Id, grant.Run.Id, grant.LeaseId, grant.WorkerId, grant.Attempt, grant.ExpiresAt, grant.Job.ToRecord())
        {
            Heartbeat = grant.HeartbeatSeconds > 0 ? TimeSpan.FromSeconds(grant.HeartbeatSeconds) : null,
            TraceParent = grant.TraceParent,
            QueuedAt = grant.QueuedAt,
        };
    }

    /// <summary>The lease request waited already.</summary>
    public Task WaitForWorkAsync(TimeSpan maxWait, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<LeaseState> ExtendAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var held = leases.ForJobOrThrow(lease.JobId);
        try
        {
            var (_, answer) = await connection.CallAsync(
                $"heartbeat of job {lease.JobId}",
                HttpMethod.Post,
                WorkerPaths.Heartbeat(lease.LeaseId),
                null,
                WorkerProtocolJson.Default.HeartbeatAnswer,
                TimeSpan.Zero,
                TimeSpan.FromSeconds(Math.Max(1, held.Grant.HeartbeatSeconds)),
                cancellationToken);
            return Learn(leases, held, answer);
        }
        catch (WorkerCallException ex) when (IsLost(ex))
        {
            Lose(held);
            return LeaseState.Lost;
        }
    }

    public async Task WaitForCancelRequestAsync(long runId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (leases.ForRun(runId) is not { } held)
        {
            await Task.Delay(maxWait, cancellationToken);
            return;
        }

        if (options.FirstCancelPollAfter - held.Age is { } young && young > TimeSpan.Zero)
        {
            await Task.Delay(young < maxWait ? young : maxWait, cancellationToken);
            return;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(maxWait.TotalSeconds));
        try
        {
            var (_, answer) = await connection.CallAsync(
                $"cancel wait of job {held.JobId}",
                HttpMethod.Get,
                string.Create(CultureInfo.InvariantCulture, $"{WorkerPaths.Cancel(held.Grant.LeaseId)}?wait={seconds}"),
                null,
                WorkerProtocolJson.Default.HeartbeatAnswer,
                TimeSpan.FromSeconds(seconds),
                TimeSpan.Zero,
                cancellationToken);
            Learn(leases, held, answer);
        }
        catch (WorkerCallException)
        {
            // The heartbeat decides what a failure means; this only keeps it from spinning.
            await Task.Delay(options.CancelFailurePause < maxWait ? options.CancelFailurePause : maxWait, cancellationToken);
        }
    }

    /// <summary>Only completes: a lease from the server is a long poll, which must not hold up the outcome, so the worker
    /// asks for its next job on its own.</summary>
    public async Task<(bool Completed, JobLease? Next)> CompleteAndLeaseAsync(
        JobLease lease, JobCompletion completion, string workerId, IReadOnlyCollection<string> labels, CancellationToken cancellationToken) =>
        (await CompleteAsync(lease, completion, cancellationToken), null);

    public async Task<bool> CompleteAsync(JobLease lease, JobCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(completion);
        if (leases.ForJob(lease.JobId) is not { } held)
        {
            return false;
        }

        try
        {
            // The outcome goes after the log and the steps: the server moves the run on when it takes it.
            await held.Spool.DrainedAsync(cancellationToken);
            if (held.Lost || held.Spool.Lost)
            {
                return false;
            }

            // Retried until written, refused or the write's time is up (then the server's reaper decides).
            var (_, answer) = await connection.CallAsync(
                $"outcome of job {lease.JobId}",
                HttpMethod.Post,
                WorkerPaths.Complete(lease.LeaseId),
                WorkerConnection.Json(CompletionReport.From(completion), WorkerProtocolJson.Default.CompletionReport),
                WorkerProtocolJson.Default.CompletionAnswer,
                TimeSpan.Zero,
                giveUpAfter: null,
                cancellationToken);
            return answer?.Written ?? false;
        }
        catch (WorkerCallException ex) when (IsLost(ex))
        {
            return false;
        }
        finally
        {
            if (leases.Remove(lease.JobId, out var gone) && gone is not null)
            {
                await gone.Spool.DisposeAsync();
            }
        }
    }

    /// <summary>The server reaps.</summary>
    public Task<IReadOnlyList<JobLease>> FindExpiredLeasesAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JobLease>>([]);

    /// <summary>The slot is the number <c>WorkerPool</c> puts at the end of its worker ids (<c>NAME-3</c>).</summary>
    internal static int Slot(string workerId)
    {
        var dash = workerId.LastIndexOf('-');
        return dash >= 0 && int.TryParse(workerId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var slot) ? slot : 1;
    }

    private static LeaseState Learn(RemoteLeases leases, RemoteLease held, HeartbeatAnswer? answer)
    {
        switch (answer?.State)
        {
            case LeaseState.Lost:
                Lose(held);
                return LeaseState.Lost;
            case LeaseState.CancelRequested:
                // The cancel is the run's: every job of it here learns the reason.
                foreach (var sibling in leases.OfRun(held.RunId))
                {
                    sibling.CancelRequested(answer.CancelReason);
                }

                return LeaseState.CancelRequested;
            default:
                return LeaseState.Held;
        }
    }

    /// <summary>Lease-lost, or 404: the server knows no such lease of this worker's.</summary>
    private static bool IsLost(WorkerCallException ex) => ex is LeaseLostException || ex.Status == HttpStatusCode.NotFound;

    private static void Lose(RemoteLease held)
    {
        held.MarkLost();
        held.Spool.Drop();
    }

    private LogSpool NewSpool(LeaseGrant grant)
    {
        SpoolClaim.CreateOwnerOnly(options.SpoolDirectory);
        var file = Path.Combine(options.SpoolDirectory, $"lease-{grant.LeaseId:N}.spool");
        var jobId = grant.Job.Id;
        return new LogSpool(file, options.Budget, (item, cancellationToken) => SendAsync(grant.LeaseId, jobId, item, cancellationToken), _log, options.SpoolPause);
    }

    private async Task SendAsync(Guid leaseId, long jobId, SpoolItem item, CancellationToken cancellationToken)
    {
        try
        {
            await SendOnceAsync(leaseId, jobId, item, cancellationToken);
        }
        catch (WorkerCallException ex) when (ex is not LeaseLostException && IsLost(ex))
        {
            throw new LeaseLostException(ex.Detail);
        }
    }

    private async Task SendOnceAsync(Guid leaseId, long jobId, SpoolItem item, CancellationToken cancellationToken)
    {
        if (item.Log is { } batch)
        {
            await connection.CallAsync(
                $"log of job {jobId}", HttpMethod.Post, WorkerPaths.Log(leaseId), WorkerConnection.Json(batch, WorkerProtocolJson.Default.LogBatch),
                WorkerProtocolJson.Default.LogAck, TimeSpan.Zero, null, cancellationToken);
        }
        else if (item.Step is { } step)
        {
            await connection.CallAsync<LogAck>(
                $"step of job {jobId}", HttpMethod.Post, WorkerPaths.Steps(leaseId), WorkerConnection.Json(step, WorkerProtocolJson.Default.StepReport),
                null, TimeSpan.Zero, null, cancellationToken);
        }
    }
}
