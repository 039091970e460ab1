using Cairn.Core.Forges;
using Cairn.Server.Hosting;
using Cairn.Core.Repositories;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>How long to wait before the next attempt after <c>n</c> failed ones.</summary>
public sealed record StatusBackoff(Func<int, TimeSpan> After);

/// <summary>Delivers the status outbox: per commit in queue order, commits side by side. A forge that is down only
/// delays its statuses (the next attempt is spaced out exponentially, with jitter, or as the forge's Retry-After
/// says); jobs never wait for it, and what was queued before a restart is delivered after it.</summary>
internal sealed partial class StatusOutboxDelivery(
    IStatusOutbox outbox, Core.Runs.IRunStore runs, IRepositoryStore repositories, IForgeDirectory forges, RepositorySecrets secrets, StatusSignal signal, StatusBackoff backoff, TimeProvider time, ILogger<StatusOutboxDelivery> log)
    : LoopingService("status delivery", Poll, time, log)
{
    // Longer than the quick retries of one send can take (three 10 s attempts and their pauses).
    private static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(10);
    private readonly string claimant = $"{Environment.MachineName}-{Environment.ProcessId}-statuses";

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        var due = await outbox.ClaimDueStatusesAsync(claimant, Time.GetUtcNow(), ClaimFor, 32, stoppingToken);
        await Task.WhenAll(due.Select(e => SendAsync(e, stoppingToken)));
        if (due.Count == 0)
        {
            await signal.WaitAsync(Poll, Time, stoppingToken);
        }
    }

    private async Task SendAsync(StatusOutboxEntry entry, CancellationToken cancellationToken)
    {
        using var span = await StatusTrace.StartAsync(runs, entry, cancellationToken);
        var repository = await repositories.GetRepositoryAsync(entry.Repository, cancellationToken);
        if (repository is null)
        {
            await outbox.MarkStatusRejectedAsync(entry.Id, Time.GetUtcNow(), "the repository was removed", cancellationToken);
            return;
        }

        var target = new StatusTarget(repository.Name, repository.ApiUrl, secrets.ForgeToken(repository), entry.Sha);
        StatusDelivery result;
        try
        {
            result = await forges.Get(repository.Forge).ReportStatusAsync(target, entry.Status, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping mid-send: hand the entry back now, so that the next server need not wait out the claim.
            await outbox.MarkStatusRetryAsync(entry.Id, Time.GetUtcNow(), "the server stopped while sending it", CancellationToken.None);
            throw;
        }

        switch (result)
        {
            case StatusDelivery.Delivered:
                await outbox.MarkStatusDeliveredAsync(entry.Id, Time.GetUtcNow(), cancellationToken);
                signal.Wake();
                break;
            case StatusDelivery.Retry retry:
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, retry.Reason);
                var next = Time.GetUtcNow() + (retry.After ?? backoff.After(entry.Attempts));
                LogRetry(log, entry.Status.Context, entry.Repository, entry.Sha, retry.Reason, next);
                await outbox.MarkStatusRetryAsync(entry.Id, next, retry.Reason, cancellationToken);
                break;
            case StatusDelivery.Rejected rejected:
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, rejected.Reason);
                LogRejected(log, entry.Status.Context, entry.Repository, entry.Sha, rejected.Reason);
                await outbox.MarkStatusRejectedAsync(entry.Id, Time.GetUtcNow(), rejected.Reason, cancellationToken);
                signal.Wake();
                break;
        }
    }

    /// <summary>5 s doubling per attempt up to 10 minutes, with up to a fifth of jitter.</summary>
    internal static TimeSpan Backoff(int attempts)
    {
        var baseDelay = TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempts, 12)));
        var capped = baseDelay > MaxBackoff ? MaxBackoff : baseDelay;
        return capped + (capped * (Random.Shared.NextDouble() * 0.2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "status {Context} for {Repository}@{Sha} not delivered ({Reason}); next attempt at {Next}")]
    private static partial void LogRetry(ILogger logger, string context, string repository, string sha, string reason, DateTimeOffset next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "status {Context} for {Repository}@{Sha} refused by the forge: {Reason}")]
    private static partial void LogRejected(ILogger logger, string context, string repository, string sha, string reason);

}
