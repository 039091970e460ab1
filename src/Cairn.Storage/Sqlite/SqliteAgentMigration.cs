namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's agent records (migration 18).</summary>
internal static class SqliteAgentMigration
{
    public static Migration Eighteen { get; } = new(18, "agent jobs keep each attempt's session, usage and result", """
        -- One row per attempt of an agent job: what its agent said of itself, written under the attempt's lease and read by
        -- the next attempt (to resume the session), the API and the daily budget. Cost in micro-dollars (exact).
        CREATE TABLE agent_sessions (
            run_id         INTEGER NOT NULL,
            job_id         INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            attempt        INTEGER NOT NULL,
            repository     TEXT    NOT NULL,
            cli            TEXT    NOT NULL,
            model          TEXT,
            session_id     TEXT,
            turns          INTEGER,
            input_tokens   INTEGER,
            output_tokens  INTEGER,
            cost_micros    INTEGER,
            result         TEXT,
            branch         TEXT    NOT NULL,
            head           TEXT,
            transcript     TEXT,
            verify_failure TEXT,
            ended          INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL,
            PRIMARY KEY (job_id, attempt)
        );
        CREATE INDEX agent_sessions_spend ON agent_sessions (repository, updated_at);
        CREATE INDEX agent_sessions_run ON agent_sessions (run_id);
        """);
}
