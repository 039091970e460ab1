namespace Cairn.Storage.Postgres;

/// <summary>The status outbox's pending entries are indexed in the order they are sent (migration 29).</summary>
internal static class PostgresOutboxMigration
{
    public static Migration TwentyNine { get; } = new(29, "pending commit statuses are indexed in id order", """
        -- The delivery's claim reads the pending entries and locks the oldest of each commit in id order: through this
        -- index it reads only those, instead of walking the primary key past every status ever delivered.
        CREATE INDEX status_outbox_due ON status_outbox (id) WHERE state = 'pending';
        """);
}
