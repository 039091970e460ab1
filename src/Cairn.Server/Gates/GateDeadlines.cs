using Cairn.Core.Engine;
using Cairn.Core.Gates;
using Cairn.Core.Runs;
using Cairn.Server.Services;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Gates;

/// <summary>Fails the open gates whose deadline passed (class timeout, "no decision within 72h") and moves their runs
/// on. It reads the store each round, so gates opened before a restart end on time after it.</summary>
internal sealed partial class GateDeadlines(IApprovalStore gates, RunCoordinator coordinator, TimeProvider time, ILogger<GateDeadlines> log)
    : LoopingService("gate deadlines", Poll, time, log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        var next = await SweepAsync(stoppingToken);
        var now = Time.GetUtcNow();
        var wait = next is { } due && due - now < Poll ? due - now : Poll;
        await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Time, stoppingToken);
    }

    /// <summary>Fails every open gate whose deadline has passed; answers the nearest deadline still ahead, if any.</summary>
    public async Task<DateTimeOffset?> SweepAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        DateTimeOffset? next = null;
        foreach (var gate in await gates.GetOpenGatesAsync(cancellationToken))
        {
            if (gate.Deadline is not { } deadline)
            {
                continue;
            }

            if (deadline > now)
            {
                next = next is { } earlier && earlier < deadline ? earlier : deadline;
                continue;
            }

            var detail = GateReasons.TimedOut(deadline - gate.OpenedAt);
            if (await gates.EndGateAsync(gate.JobId, JobStatus.Failed, new JobTransition(now, FailureClass.Timeout, detail), cancellationToken))
            {
                LogTimedOut(log, gate.JobId, gate.RunId, detail);
                await coordinator.AdvanceAsync(gate.RunId, cancellationToken);
            }
        }

        return next;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "gate job {Job} of run {Run} failed: {Detail}")]
    private static partial void LogTimedOut(ILogger logger, long job, long run, string detail);
}
