namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's issue trackers, their comment outbox and the runs their work items started (migration 20).</summary>
internal static class SqliteTrackerMigration
{
    public static Migration Twenty { get; } = new(20, "issue trackers, their comment outbox and the runs their work items started", """
        -- A tracker's project connected to a repository; its webhook secret and API key are sealed with the master key.
        CREATE TABLE trackers (
            id             INTEGER PRIMARY KEY,
            kind           TEXT    NOT NULL,
            workspace      TEXT    NOT NULL,
            project        TEXT    NOT NULL,
            repository     TEXT    NOT NULL,
            api_url        TEXT    NOT NULL,
            bot_user       TEXT,
            webhook_secret BLOB    NOT NULL,
            api_key        BLOB    NOT NULL,
            created_at     INTEGER NOT NULL
        );

        -- Comments owed to work items; external_id is what the tracker refuses a second time.
        CREATE TABLE tracker_comments (
            id              INTEGER PRIMARY KEY,
            tracker         INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
            work_item       TEXT    NOT NULL,
            external_id     TEXT    NOT NULL UNIQUE,
            html            TEXT    NOT NULL,
            posted_id       TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            delivered_at    INTEGER,
            failed          INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT,
            created_at      INTEGER NOT NULL
        );
        CREATE INDEX tracker_comments_due ON tracker_comments (next_attempt_at) WHERE delivered_at IS NULL AND failed = 0;
        CREATE INDEX tracker_comments_posted ON tracker_comments (tracker, posted_id);

        -- Which runs a work item started.
        CREATE TABLE tracker_runs (
            tracker    INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
            work_item  TEXT    NOT NULL,
            run_id     INTEGER NOT NULL,
            pipeline   TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (tracker, work_item, run_id)
        );
        CREATE INDEX tracker_runs_run ON tracker_runs (run_id);
        """);
}
