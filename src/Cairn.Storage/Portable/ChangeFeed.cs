using Cairn.Core.Runs;
using Cairn.Storage.Signals;

namespace Cairn.Storage.Portable;

/// <summary>How a dialect reads the change feed. <paramref name="Settle"/>, when the dialect has it, is run before every
/// read: it gives feed positions to the changes committed since the last.</summary>
/// <param name="ReadAll">Changes after <c>@after</c>, at most <c>@limit</c>, in feed order.</param>
/// <param name="ReadOfRun">The same, of run <c>@run</c> only.</param>
/// <param name="Latest">The last position given, 0 when none.</param>
internal sealed record ChangeFeedStatements(string? Settle, string ReadAll, string ReadOfRun, string Latest);

/// <summary>Reads the change feed the triggers write, and waits for it to grow, alike for both dialects.</summary>
internal sealed class ChangeFeed(IStatementRunner database, ChangeFeedStatements sql, ChangeSignal signal, TimeProvider time)
{
    public async Task<IReadOnlyList<RunChange>> ReadChangesAsync(long afterId, long? runId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await SettleAsync(cancellationToken);
        return await database.QueryAsync(
            runId is null ? sql.ReadAll : sql.ReadOfRun,
            command =>
            {
                command.Bind("@after", afterId).Bind("@limit", limit);
                if (runId is { } run)
                {
                    command.Bind("@run", run);
                }
            },
            RecordRows.ReadChange,
            cancellationToken);
    }

    public async Task<long> GetLatestChangeIdAsync(CancellationToken cancellationToken)
    {
        await SettleAsync(cancellationToken);
        return await LatestAsync(cancellationToken);
    }

    public async Task WaitForChangesAsync(long afterId, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(maxWait, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            while (true)
            {
                // Taken before looking, so that a change committed after the look still ends the wait.
                var pulse = signal.Next;
                await SettleAsync(cancellationToken);
                if (await LatestAsync(cancellationToken) > afterId)
                {
                    return;
                }

                await pulse.WaitAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // maxWait passed with nothing new.
        }
    }

    private async Task<long> LatestAsync(CancellationToken cancellationToken) =>
        (await database.QueryAsync(sql.Latest, _ => { }, row => row.GetInt64(0), cancellationToken))[0];

    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (sql.Settle is { } settle)
        {
            await database.ExecuteAsync(settle, _ => { }, cancellationToken);
        }
    }
}
