using Cairn.Core.Forges;

namespace Cairn.Storage.Portable;

/// <summary>The status outbox, alike for both dialects except for how entries are claimed.</summary>
internal sealed class StatusOutboxRecords(IStatementRunner database, ClaimStatements claims) : IStatusOutbox
{
    public async Task EnqueueStatusAsync(string repository, string sha, CommitStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await database.ExecuteAsync(
            ServerSql.EnqueueStatus,
            command => command
                .Bind("@repository", repository)
                .Bind("@sha", sha)
                .Bind("@commit_state", ServerRows.Wire(status.State))
                .Bind("@context", status.Context)
                .Bind("@description", status.Description)
                .Bind("@target", status.TargetUrl)
                .Bind("@at", RecordRows.ToMillis(at)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<StatusOutboxEntry>> ClaimDueStatusesAsync(
        string claimant, DateTimeOffset now, TimeSpan claimFor, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var claimed = await database.InTransactionAsync(
            transaction => transaction.QueryAsync(
                claims.ClaimStatuses,
                command => command
                    .Bind("@claimant", claimant)
                    .Bind("@now", RecordRows.ToMillis(now))
                    .Bind("@until", RecordRows.ToMillis(now + claimFor))
                    .Bind("@limit", limit),
                ServerRows.ReadOutboxEntry,
                cancellationToken),
            cancellationToken);
        return [.. claimed.OrderBy(e => e.Id)];
    }

    public Task MarkStatusDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusDelivered, c => c.Bind("@id", id).Bind("@at", RecordRows.ToMillis(at)), cancellationToken);

    public Task MarkStatusRetryAsync(long id, DateTimeOffset nextAttemptAt, string reason, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusRetry,
            c => c.Bind("@id", id).Bind("@next", RecordRows.ToMillis(nextAttemptAt)).Bind("@reason", reason),
            cancellationToken);

    public Task MarkStatusRejectedAsync(long id, DateTimeOffset at, string reason, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            ServerSql.MarkStatusRejected,
            c => c.Bind("@id", id).Bind("@at", RecordRows.ToMillis(at)).Bind("@reason", reason),
            cancellationToken);

    public async Task<IReadOnlyList<StatusOutboxEntry>> ListStatusesAsync(string repository, string sha, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            ServerSql.StatusesOfCommit, c => c.Bind("@repository", repository).Bind("@sha", sha), ServerRows.ReadOutboxEntry, cancellationToken);
}
