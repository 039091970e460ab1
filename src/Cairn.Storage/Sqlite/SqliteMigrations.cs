namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema, as the ordered list of changes that build it. Append; never edit a released entry.</summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "runs, jobs, steps and log lines", """
            CREATE TABLE runs (
                id              INTEGER PRIMARY KEY,
                pipeline_name   TEXT    NOT NULL,
                event           TEXT    NOT NULL,
                ref             TEXT,
                sha             TEXT,
                repository      TEXT,
                status          TEXT    NOT NULL,
                created_at      INTEGER NOT NULL,
                finished_at     INTEGER,
                idempotency_key TEXT    UNIQUE,
                inputs          TEXT    NOT NULL DEFAULT '{}'
            );

            CREATE TABLE jobs (
                id               INTEGER PRIMARY KEY,
                run_id           INTEGER NOT NULL REFERENCES runs (id),
                ordinal          INTEGER NOT NULL,
                name             TEXT    NOT NULL,
                key              TEXT    NOT NULL,
                needs            TEXT    NOT NULL DEFAULT '[]',
                labels           TEXT    NOT NULL DEFAULT '[]',
                status           TEXT    NOT NULL,
                attempt          INTEGER NOT NULL DEFAULT 0,
                exit_code        INTEGER,
                failure_class    TEXT,
                failure_detail   TEXT,
                started_at       INTEGER,
                finished_at      INTEGER,
                definition       TEXT    NOT NULL,
                lease_id         TEXT,
                lease_owner      TEXT,
                lease_expires_at INTEGER,
                retry_at         INTEGER,
                UNIQUE (run_id, name)
            );

            -- Leasing walks the queued jobs oldest first and stops at the first one that fits, so the index keeps
            -- them in id order (an index on retry_at would make it sort them all); the reaper will look up running
            -- jobs by lease expiry.
            CREATE INDEX jobs_by_status ON jobs (status, id);
            CREATE INDEX jobs_by_status_lease ON jobs (status, lease_expires_at);

            CREATE TABLE steps (
                job_id      INTEGER NOT NULL REFERENCES jobs (id),
                idx         INTEGER NOT NULL,
                name        TEXT    NOT NULL,
                status      TEXT    NOT NULL,
                exit_code   INTEGER,
                started_at  INTEGER,
                finished_at INTEGER,
                PRIMARY KEY (job_id, idx)
            ) WITHOUT ROWID;

            CREATE TABLE log_lines (
                job_id   INTEGER NOT NULL REFERENCES jobs (id),
                seq      INTEGER NOT NULL,
                step_idx INTEGER NOT NULL,
                stream   TEXT    NOT NULL,
                ts       INTEGER NOT NULL,
                text     TEXT    NOT NULL,
                PRIMARY KEY (job_id, seq)
            ) WITHOUT ROWID;
            """),
    ];

    public static int Latest => All[^1].Version;
}
