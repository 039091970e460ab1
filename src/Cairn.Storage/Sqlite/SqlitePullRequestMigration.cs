namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's pull requests that publish jobs opened (migration 21).</summary>
internal static class SqlitePullRequestMigration
{
    public static Migration TwentyOne { get; } = new(21, "the pull requests publish jobs opened, and their checks", """
        -- One row per publish job of a run: the pull request it opened or updated, and the state of the checks the
        -- forge's webhooks last reported for its head commit (pending, passing, failing; NULL until one arrives).
        CREATE TABLE pull_requests (
            run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            job_id        INTEGER NOT NULL,
            repository    TEXT NOT NULL,
            branch        TEXT NOT NULL,
            number        INTEGER NOT NULL,
            url           TEXT NOT NULL,
            head_sha      TEXT NOT NULL,
            draft         INTEGER NOT NULL,
            checks        TEXT,
            checks_detail TEXT,
            updated_at    INTEGER NOT NULL,
            PRIMARY KEY (run_id, job_id)
        );
        CREATE INDEX pull_requests_by_head ON pull_requests (repository, head_sha);
        """);
}
