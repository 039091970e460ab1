using System.Collections.Concurrent;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Cairn.Server.Workers;

/// <summary>Hands a worker over HTTP a job (<see cref="WorkerPaths.Lease"/>): first the lease its owner already holds
/// (the answer to an earlier ask was lost), else the next queued job whose labels the worker offers, waiting for one up to
/// the request's wait; a paused worker gets 403 <see cref="WorkerProblems.Paused"/> and nothing.</summary>
public sealed class WorkerLeasing(
    IJobQueue queue, IRunStore runs, ILeaseRecords leases, IWorkerStore workers, SourceTokens sourceTokens, ServerSettings settings,
    TimeProvider time, IHostApplicationLifetime lifetime)
{
    public const int MaxWaitSeconds = 30;
    public const int MaxSlot = 1024;
    private const int MaxInstanceLength = 32;
    private static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<long, DateTimeOffset> _touched = new();

    /// <summary>Why the request cannot be served (its instance, slot or labels), in a sentence; null when it can.</summary>
    public static string? Problem(LeaseRequest request, WorkerRecord worker)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(worker);
        if (string.IsNullOrEmpty(request.Instance) || request.Instance.Length > MaxInstanceLength || !request.Instance.All(char.IsAsciiLetterOrDigit))
        {
            return $"the instance must be 1 to {MaxInstanceLength} letters and digits";
        }

        if (request.Slot is < 1 or > MaxSlot)
        {
            return $"the slot must be from 1 to {MaxSlot}";
        }

        foreach (var label in request.Labels ?? [])
        {
            if (!worker.Labels.Contains(label, StringComparer.Ordinal))
            {
                return $"the label '{label}' is not one of worker {worker.Name}'s ({string.Join(", ", worker.Labels)}): an administrator gives a worker its labels";
            }
        }

        return null;
    }

    public async Task<IResult> LeaseAsync(Caller caller, LeaseRequest? request, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(context);
        var worker = caller.Worker!;
        var cancellationToken = context.RequestAborted;
        if (request is null)
        {
            return Problems.BadRequest("send a lease request: {\"instance\", \"slot\", \"labels\", \"waitSeconds\"}");
        }

        if (Problem(request, worker) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        await TouchAsync(worker, context, cancellationToken);
        var owner = WorkerNames.LeaseOwner(worker.Name, request.Instance, request.Slot);
        if (await leases.FindLeaseOfOwnerAsync(owner, cancellationToken) is { } held)
        {
            return await GrantAsync(held, cancellationToken);
        }

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Clamp(request.WaitSeconds, 0, MaxWaitSeconds));
        if (worker.Paused)
        {
            // Said at once, so the worker can say so; it asks again after its own wait.
            return Results.Problem(
                $"worker {worker.Name} is paused: it takes no new jobs until an administrator resumes it (cairn workers resume {worker.Name})",
                statusCode: StatusCodes.Status403Forbidden,
                title: "The worker is paused",
                type: WorkerProblems.Paused);
        }

        // Jobs only the server's own workers run (agents, publishing) are never handed to a worker over HTTP.
        var labels = Core.Engine.WorkerLabels.Remote(request.Labels ?? worker.Labels);

        // A stopping server answers its long polls at once: its shutdown then waits for no one, and the worker asks again
        // of the server that takes over (or of this one when it is back) instead of holding a lease it might never hear of.
        var stopping = lifetime.ApplicationStopping;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        while (!stopping.IsCancellationRequested)
        {
            if (await queue.TryLeaseAsync(owner, labels, cancellationToken) is { } lease)
            {
                return await GrantAsync(lease, cancellationToken);
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                await queue.WaitForWorkAsync(left < PollEvery ? left : PollEvery, wait.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return Results.NoContent();
    }

    /// <summary>Notes the worker's call (version, address) at most once every few seconds per worker.</summary>
    public async Task TouchAsync(WorkerRecord worker, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        if (_touched.TryGetValue(worker.Id, out var last) && now - last < TouchEvery)
        {
            return;
        }

        _touched[worker.Id] = now;
        var version = context.Request.Headers[WorkerPaths.VersionHeader].ToString();
        await workers.TouchWorkerAsync(
            worker.Id, now, version.Length is > 0 and <= 64 ? version : null, context.Connection.RemoteIpAddress?.ToString(), cancellationToken);
    }

    /// <summary>How often a worker should extend its lease: the server's heartbeat, at most a third of the lease.</summary>
    public int HeartbeatSeconds => (int)Math.Max(1, Math.Min(settings.Heartbeat.TotalSeconds, settings.Lease.TotalSeconds / 3));

    private async Task<IResult> GrantAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var run = await runs.GetRunAsync(lease.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {lease.RunId} of leased job {lease.JobId} is gone");
        var last = await runs.GetLastLogSequenceAsync(lease.JobId, cancellationToken);
        var grant = new LeaseGrant(
            lease.LeaseId,
            lease.WorkerId,
            lease.Attempt,
            lease.ExpiresAt,
            WireJob.From(lease.Job),
            WireRun.From(run),
            last,
            sourceTokens.Issue(lease.LeaseId, run.Repository ?? ""),
            run.Repository is { } repository ? WorkerPaths.Git(repository) : null,
            HeartbeatSeconds)
        {
            TraceParent = lease.TraceParent ?? run.TraceParent,
            QueuedAt = lease.QueuedAt,
        };
        return TypedResults.Json(grant, WorkerProtocolJson.Default.LeaseGrant);
    }
}
