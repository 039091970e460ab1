namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's pull requests that publish jobs opened (migration 21).</summary>
internal static class PostgresPullRequestMigration
{
    public static Migration TwentyOne { get; } = new(21, "the pull requests publish jobs opened, and their checks", """
        -- One row per publish job of a run: the pull request it opened or updated, and the state of the checks the
        -- forge's webhooks last reported for its head commit (pending, passing, failing; NULL until one arrives).
        CREATE TABLE pull_requests (
            run_id        bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            job_id        bigint NOT NULL,
            repository    text NOT NULL,
            branch        text NOT NULL,
            number        integer NOT NULL,
            url           text NOT NULL,
            head_sha      text NOT NULL,
            draft         boolean NOT NULL,
            checks        text,
            checks_detail text,
            updated_at    bigint NOT NULL,
            PRIMARY KEY (run_id, job_id)
        );
        CREATE INDEX pull_requests_by_head ON pull_requests (repository, head_sha);
        """);
}
