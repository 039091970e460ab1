using Cairn.Core.Telemetry;

namespace Cairn.Storage.Portable;

/// <summary>The metrics' aggregate counts (<see cref="IOperationalCounts"/>) in SQL both dialects run as written: one
/// statement of grouped counts over the jobs that are not ended, the workers and the outbox's pending entries.</summary>
internal sealed class OperationalCountRecords(IStatementRunner database)
{
    // A waiting job of a held run waits for its concurrency group (waiting_behind) or an approval; one of a running run
    // for its needs. A queued job with a pending reason was given back by the daily agent budget; one with a retry time
    // to come waits out its back-off; one whose repository is at its limit waits for that; the rest wait for a worker
    // with their labels. A running job with a pending reason waits on its executor (a quota, a pod no node fits).
    // Each status is counted on its own, by equality: both stores index jobs by status only while they have not ended
    // (partial indexes), which a planner uses for `status = 'x'` but not for `status IN (…)` or an OR of statuses.
    internal static readonly string Counts = $"""
        SELECT 'job' AS kind, 'waiting' AS k, count(*) AS n FROM jobs WHERE status = 'waiting'
        UNION ALL
        SELECT 'job', 'queued', count(*) FROM jobs WHERE status = 'queued'
        UNION ALL
        SELECT 'job', 'running', count(*) FROM jobs WHERE status = 'running'
        UNION ALL
        SELECT 'wait', reason, count(*) FROM (
            SELECT CASE
                WHEN r.status = 'waiting' AND r.waiting_behind IS NOT NULL THEN 'concurrency'
                WHEN r.status = 'waiting' THEN 'approval'
                ELSE 'needs' END AS reason
            FROM jobs AS j JOIN runs AS r ON r.id = j.run_id
            WHERE j.status = 'waiting'
            UNION ALL
            SELECT CASE
                WHEN j.pending_reason IS NOT NULL THEN 'budget'
                WHEN j.retry_at IS NOT NULL AND j.retry_at > @now THEN 'retry'
                WHEN NOT ({RepositoryLimitSql.UnderLimit}) THEN 'repository_limit'
                ELSE 'labels' END
            FROM jobs AS j
            WHERE j.status = 'queued'
            UNION ALL
            SELECT 'quota' FROM jobs AS j WHERE j.status = 'running' AND j.pending_reason IS NOT NULL) AS waits
        GROUP BY reason
        UNION ALL
        SELECT 'worker', state, count(*) FROM (
            SELECT CASE
                WHEN w.paused THEN 'paused'
                WHEN w.last_seen_at IS NULL OR w.last_seen_at < @seen THEN 'offline'
                WHEN EXISTS (SELECT 1 FROM jobs AS b WHERE b.status = 'running'
                             AND substr(b.lease_owner, 1, length(w.name) + 1) = w.name || '/') THEN 'busy'
                ELSE 'connected' END AS state
            FROM workers AS w) AS states
        GROUP BY state;
        """;

    internal const string Outbox = "SELECT count(*), min(created_at) FROM status_outbox WHERE finished_at IS NULL;";

    public async Task<OperationalCounts> CountAsync(DateTimeOffset now, DateTimeOffset seenSince, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            Counts,
            c => c.Bind("@now", RecordRows.ToMillis(now)).Bind("@seen", RecordRows.ToMillis(seenSince)),
            r => (r.GetString(0), r.GetString(1), Convert.ToInt64(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken);
        var outbox = await database.QueryAsync(
            Outbox,
            _ => { },
            r => (Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                r.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture))),
            cancellationToken);
        return OperationalCounts.From(rows, outbox.Count > 0 ? outbox[0] : null);
    }
}
