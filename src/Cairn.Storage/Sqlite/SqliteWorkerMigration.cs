namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's workers (migration 14): the identities an administrator made for machines that run jobs
/// over HTTP.</summary>
internal static class SqliteWorkerMigration
{
    public static Migration Fourteen { get; } = new(14, "workers: identities of machines that run jobs over HTTP, each with its token's hash", """
        -- A name is unique ignoring case: name_key is its lower-case form. labels: a JSON array of the labels the worker
        -- may offer. The token is kept as its id (public) and the SHA-256 of its secret only. last_seen_at, version and
        -- address: what the server heard on the worker's last call. AUTOINCREMENT: a removed worker's id is never reused.
        CREATE TABLE workers (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            name         TEXT    NOT NULL,
            name_key     TEXT    NOT NULL UNIQUE,
            labels       TEXT    NOT NULL DEFAULT '[]',
            token_id     TEXT    NOT NULL UNIQUE,
            token_hash   BLOB    NOT NULL,
            paused       INTEGER NOT NULL DEFAULT 0,
            created_at   INTEGER NOT NULL,
            created_by   TEXT,
            last_seen_at INTEGER,
            version      TEXT,
            address      TEXT
        );
        """);
}
