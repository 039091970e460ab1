namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's artifacts and caches (migration 22): what the blob store holds, indexed.</summary>
internal static class SqliteArtifactMigration
{
    public static Migration TwentyTwo { get; } = new(22, "artifact sets with their files, cache entries, and blobs waiting to be deleted", """
        -- One set per job: the files a job attempt kept, as one tar in the blob store. A later attempt's set replaces it.
        -- repository is the run's as written; a repository's sets are found by its lower-case name, as everywhere else.
        CREATE TABLE artifact_sets (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id     INTEGER NOT NULL REFERENCES runs (id),
            job_id     INTEGER NOT NULL,
            job_name   TEXT    NOT NULL,
            attempt    INTEGER NOT NULL,
            repository TEXT,
            blob       TEXT    NOT NULL,
            files      INTEGER NOT NULL,
            bytes      INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        );
        CREATE INDEX artifact_sets_by_run ON artifact_sets (run_id, job_id);
        CREATE INDEX artifact_sets_by_job ON artifact_sets (job_id);
        CREATE INDEX artifact_sets_by_expiry ON artifact_sets (expires_at, id);
        CREATE INDEX artifact_sets_by_repository ON artifact_sets (lower(repository));

        -- Each file of a set and where its bytes start in the set's tar; a prefix of paths is a range of this key.
        CREATE TABLE artifact_files (
            set_id      INTEGER NOT NULL REFERENCES artifact_sets (id),
            path        TEXT    NOT NULL,
            size        INTEGER NOT NULL,
            "offset"    INTEGER NOT NULL,
            mode        INTEGER NOT NULL,
            modified    INTEGER NOT NULL,
            link_target TEXT,
            PRIMARY KEY (set_id, path)
        ) WITHOUT ROWID;

        -- Cache entries of a repository (its lower-case name) in a scope, never overwritten; evicted least recently used first.
        CREATE TABLE cache_entries (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            repository   TEXT    NOT NULL,
            scope        TEXT    NOT NULL,
            key          TEXT    NOT NULL,
            blob         TEXT    NOT NULL,
            bytes        INTEGER NOT NULL,
            created_at   INTEGER NOT NULL,
            last_used_at INTEGER NOT NULL,
            UNIQUE (repository, scope, key)
        );
        CREATE INDEX cache_entries_by_use ON cache_entries (repository, last_used_at);

        -- Blobs whose records are gone, written in the same transaction that forgot them; the sweep deletes them, then these.
        CREATE TABLE blob_deletions (
            blob      TEXT    PRIMARY KEY,
            queued_at INTEGER NOT NULL
        );
        """);
}
