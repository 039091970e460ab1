namespace Cairn.Storage.Portable;

/// <summary>How a dialect removes old runs. Every statement but <paramref name="LastOfBatch"/> works on the batch as
/// <see cref="PortableSql.RunsOfBatch"/> names it (runs ended before <c>@before</c>, up to the id <c>@last</c>), so the
/// batch is one set of runs without a list of ids to bind.</summary>
/// <param name="Lock">Run first in the transaction where the dialect needs it: removers of several processes take turns.</param>
/// <param name="LastOfBatch">The id of the last of the oldest <c>@limit</c> runs ended before <c>@before</c>; NULL when none.</param>
/// <param name="DeleteChanges">Removes the batch's changes but the feed's newest, so that feed ids never go back.</param>
internal sealed record RetentionStatements(string? Lock, string LastOfBatch, string DeleteChanges)
{
    /// <summary>Deletes the log of the batch's jobs; a line a row unless the dialect keeps them otherwise.</summary>
    public string DeleteLog { get; init; } = PortableSql.DeleteLogLinesOfBatch;
}

/// <summary>Removes runs that ended long enough ago, with everything of theirs, a batch per transaction, alike for both
/// dialects: children first (artifact sets and their files, their blobs queued for deletion; log lines, steps, attempts,
/// jobs, changes), the runs last.</summary>
internal sealed class RunRetention(IStatementRunner database, RetentionStatements sql, TimeProvider time)
{
    public async Task<int> DeleteRunsFinishedBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var cutoff = RecordRows.ToMillis(before);
        return await database.InTransactionAsync(
            async transaction =>
            {
                if (sql.Lock is { } lockTurn)
                {
                    await transaction.ExecuteAsync(lockTurn, _ => { }, cancellationToken);
                }

                var last = await transaction.QueryAsync(
                    sql.LastOfBatch,
                    command => command.Bind("@before", cutoff).Bind("@limit", limit),
                    row => row.IsDBNull(0) ? (long?)null : row.GetInt64(0),
                    cancellationToken);
                if (last is not [{ } lastId])
                {
                    return 0;
                }

                void Batch(System.Data.Common.DbCommand command) => command.Bind("@before", cutoff).Bind("@last", lastId);
                var queued = RecordRows.ToMillis(time.GetUtcNow());
                await transaction.ExecuteAsync(
                    PortableSql.QueueArtifactBlobsOfBatch, command => Batch(command.Bind("@queued", queued)), cancellationToken);
                await transaction.ExecuteAsync(PortableSql.DeleteArtifactsOfBatch, Batch, cancellationToken);
                await transaction.ExecuteAsync(sql.DeleteLog, Batch, cancellationToken);
                await transaction.ExecuteAsync(PortableSql.DeleteStepsOfBatch, Batch, cancellationToken);
                await transaction.ExecuteAsync(PortableSql.DeleteAttemptsOfBatch, Batch, cancellationToken);
                await transaction.ExecuteAsync(PortableSql.DeleteJobsOfBatch, Batch, cancellationToken);
                await transaction.ExecuteAsync(sql.DeleteChanges, Batch, cancellationToken);
                return await transaction.ExecuteAsync(PortableSql.DeleteRunsOfBatch, Batch, cancellationToken);
            },
            cancellationToken);
    }
}
