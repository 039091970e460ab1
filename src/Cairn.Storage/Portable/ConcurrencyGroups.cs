using System.Data.Common;
using System.Globalization;
using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>Runs of one concurrency group of a repository run one at a time, oldest first, alike for both dialects. Every
/// decision (hold a run on creation or approval, start the next held run when the group is free) is one transaction that
/// first takes the group's turn (<see cref="IRunDialect.LockGroupAsync"/>), so two processes never both start a run of it.</summary>
internal sealed class ConcurrencyGroups(IStatementRunner database, IRunDialect dialect, IStoreEvents events)
{
    /// <summary>What a held run says: "waiting behind run #41 in concurrency group 'deploy'".</summary>
    public static string Reason(long number, string group) =>
        string.Create(CultureInfo.InvariantCulture, $"waiting behind run #{number} in concurrency group '{group}'");

    /// <summary>Inside the creating transaction: a run about to be written running, in a group, that does not cancel in
    /// progress, comes back held when an older run of its group has not ended; any other run comes back as it was.</summary>
    public async Task<RunRecord> HoldIfBusyAsync(IStatementRunner transaction, RunRecord run, CancellationToken cancellationToken)
    {
        if (run.Status != RunStatus.Running || run.CancelInProgress || run.ConcurrencyGroup is not { } group)
        {
            return run;
        }

        await dialect.LockGroupAsync(transaction, Key(run.Repository, group), cancellationToken);
        return await AheadAsync(transaction, run, group, cancellationToken) is { } ahead
            ? run with { Status = RunStatus.Waiting, WaitingBehind = ahead.Id, PendingReason = Reason(ahead.Number, group) }
            : run;
    }

    public async Task<RunRecord?> ApproveAsync(long runId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var approved = await database.InTransactionAsync(
            async transaction =>
            {
                var run = await ReadAsync(transaction, runId, cancellationToken);
                if (run is not { Status: RunStatus.Waiting, WaitingBehind: null })
                {
                    return null;
                }

                var ahead = (Id: 0L, Number: 0L);
                if (!run.CancelInProgress && run.ConcurrencyGroup is { } group)
                {
                    await dialect.LockGroupAsync(transaction, Key(run.Repository, group), cancellationToken);
                    ahead = await AheadAsync(transaction, run, group, cancellationToken) ?? ahead;
                }

                var reason = ahead.Id != 0 ? Reason(ahead.Number, run.ConcurrencyGroup!) : null;
                var changed = await transaction.ExecuteAsync(
                    ConcurrencyGroupSql.Approve,
                    command => command
                        .Bind("@id", runId)
                        .Bind("@to", (reason is null ? RunStatus.Running : RunStatus.Waiting).ToWire())
                        .Bind("@ahead", reason is null ? null : ahead.Id)
                        .Bind("@reason", reason)
                        .Bind("@at", RecordRows.ToMillis(at)),
                    cancellationToken);
                if (changed != 1)
                {
                    return null;
                }

                if (reason is not null)
                {
                    await transaction.ExecuteAsync(
                        ConcurrencyGroupSql.HeldChange,
                        command => command.Bind("@id", runId).Bind("@reason", reason).Bind("@at", RecordRows.ToMillis(at)),
                        cancellationToken);
                }

                return await ReadAsync(transaction, runId, cancellationToken);
            },
            cancellationToken);
        if (approved is not null)
        {
            events.StatusChanged();
        }

        return approved;
    }

    public async Task<RunRecord?> StartNextAsync(string? repository, string group, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var started = await database.InTransactionAsync(
            async transaction =>
            {
                await dialect.LockGroupAsync(transaction, Key(repository, group), cancellationToken);
                void Group(DbCommand command) => command.Bind("@repository", repository ?? "").Bind("@group", group);
                if ((await transaction.QueryAsync(ConcurrencyGroupSql.AnyRunning, Group, row => row.GetInt64(0), cancellationToken)).Count > 0)
                {
                    return null;
                }

                var oldest = await transaction.QueryAsync(
                    ConcurrencyGroupSql.OldestHeld, Group, row => (Id: row.GetInt64(0), Number: row.GetInt64(1)), cancellationToken);
                if (oldest is not [var next])
                {
                    return null;
                }

                await transaction.ExecuteAsync(
                    ConcurrencyGroupSql.StartHeld, command => command.Bind("@id", next.Id).Bind("@at", RecordRows.ToMillis(at)), cancellationToken);
                await transaction.ExecuteAsync(
                    ConcurrencyGroupSql.WaitBehind,
                    command =>
                    {
                        Group(command);
                        command.Bind("@ahead", next.Id).Bind("@reason", Reason(next.Number, group));
                    },
                    cancellationToken);
                return await ReadAsync(transaction, next.Id, cancellationToken);
            },
            cancellationToken);
        if (started is not null)
        {
            events.StatusChanged();
        }

        return started;
    }

    public async Task<IReadOnlyList<long>> RepairAsync(DateTimeOffset at, DateTimeOffset stalledBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var stalled = await database.QueryAsync(
            ConcurrencyGroupSql.Stalled,
            command => command.Bind("@limit", limit),
            row => (Repository: row.GetString(0), Group: row.GetString(1)),
            cancellationToken);
        var runs = new List<long>();
        foreach (var (repository, group) in stalled)
        {
            if (await StartNextAsync(repository, group, at, cancellationToken) is { } started)
            {
                runs.Add(started.Id);
            }
        }

        var unadvanced = await database.QueryAsync(
            ConcurrencyGroupSql.Unadvanced,
            command => command.Bind("@before", RecordRows.ToMillis(stalledBefore)).Bind("@limit", limit),
            row => row.GetInt64(0),
            cancellationToken);
        runs.AddRange(unadvanced.Where(id => !runs.Contains(id)));
        return runs;
    }

    private static async Task<(long Id, long Number)?> AheadAsync(IStatementRunner transaction, RunRecord run, string group, CancellationToken cancellationToken)
    {
        var ahead = await transaction.QueryAsync(
            ConcurrencyGroupSql.Ahead,
            command => command.Bind("@repository", run.Repository ?? "").Bind("@group", group).Bind("@self", run.Id),
            row => (Id: row.GetInt64(0), Number: row.GetInt64(1)),
            cancellationToken);
        return ahead is [var first] ? first : null;
    }

    private static async Task<RunRecord?> ReadAsync(IStatementRunner transaction, long runId, CancellationToken cancellationToken) =>
        (await transaction.QueryAsync(ConcurrencyGroupSql.RunById, command => command.Bind("@id", runId), RecordRows.ReadRun, cancellationToken))
        .SingleOrDefault();

    /// <summary>The group's turn is keyed by repository and name; runs without a repository share <c>""</c>.</summary>
    private static string Key(string? repository, string group) => (repository ?? "") + "\n" + group;
}
