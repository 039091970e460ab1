namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's reason a leased job waits on its executor (migration 17).</summary>
internal static class SqliteExecutorWaitMigration
{
    public static Migration Seventeen { get; } = new(17, "a running job keeps why it waits on its executor", """
        -- Why a leased job cannot start yet (a pod no node fits, a quota that refuses it), written by the lease's holder;
        -- NULL once it is under way and whenever the job leaves running.
        ALTER TABLE jobs ADD COLUMN pending_reason TEXT;
        """);
}
