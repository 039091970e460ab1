namespace Cairn.Storage.Sqlite;

/// <summary>The status outbox's pending entries are indexed in the order they are sent (migration 28).</summary>
internal static class SqliteOutboxMigration
{
    public static Migration TwentyEight { get; } = new(28, "pending commit statuses are indexed in id order", """
        -- The delivery's claim takes the oldest pending entry of each commit, in id order. Without an index in that
        -- order SQLite walked the whole table by id, past every status ever delivered (the outbox keeps them), at every
        -- round and inside the turn at writing. The journal's pending events have had the same index from the start.
        CREATE INDEX status_outbox_due ON status_outbox (id) WHERE state = 'pending';
        """);
}
