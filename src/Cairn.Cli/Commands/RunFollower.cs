using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>--wait</c>: asks for the run every second until it ends, saying each job's changes as they come
/// (unless <c>--json</c>), and exits by the run's verdict.</summary>
internal static class RunFollower
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // A server restarting (or a network blip) while a run is followed is waited out, for about this many polls.
    private const int UnreachableTolerance = 30;

    /// <summary>Follows <paramref name="started"/> to its end: 0 when it succeeded, 1 otherwise, 130 on an interrupt
    /// (the run goes on).</summary>
    public static async Task<int> FollowAsync(ServerSession session, Answer<RunView> started, CancellationToken interrupt)
    {
        var seen = new Dictionary<long, (string Status, int Attempt)>();
        var current = started;
        await ReportAsync(session, current.Value, seen);
        using var timer = new PeriodicTimer(Interval, session.Time);
        var misses = 0;
        try
        {
            while (!ServerViews.IsFinished(current.Value.Status))
            {
                await timer.WaitForNextTickAsync(interrupt);
                try
                {
                    current = await session.Client.GetRunAsync(started.Value.Id, interrupt);
                    misses = 0;
                }
                catch (ServerUnreachableException ex) when (++misses < UnreachableTolerance)
                {
                    if (misses == 1)
                    {
                        await session.Error.WriteLineAsync($"cairn: {ex.Message}; trying again");
                    }

                    continue;
                }

                await ReportAsync(session, current.Value, seen);
            }
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await session.Error.WriteLineAsync(
                $"cairn: no longer following {ServerViews.Headline(current.Value)}; it goes on (cairn cancel {current.Value.Id} stops it)");
            return ExitCodes.Cancelled;
        }

        if (session.Json)
        {
            await session.WriteJsonAsync(current.Json);
        }
        else
        {
            await session.Out.WriteLineAsync(ServerViews.Paint(
                ServerViews.Verdict(current.Value, session.Time.GetUtcNow()), ServerViews.StatusColor(current.Value.Status), session.Color));
        }

        return current.Value.Status == "succeeded" ? ExitCodes.Succeeded : ExitCodes.Failed;
    }

    private static async Task ReportAsync(ServerSession session, RunView run, Dictionary<long, (string Status, int Attempt)> seen)
    {
        foreach (var job in run.Jobs ?? [])
        {
            var now = (job.Status, job.Attempt);
            if (seen.TryGetValue(job.Id, out var before) && before == now)
            {
                continue;
            }

            seen[job.Id] = now;
            if (!session.Json && job.Status != "waiting")
            {
                await session.Out.WriteLineAsync(ServerViews.Paint(
                    "  " + ServerViews.JobChange(job, session.Time.GetUtcNow()), ServerViews.StatusColor(job.Status), session.Color));
            }
        }
    }
}
