namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's agent records (migration 18).</summary>
internal static class PostgresAgentMigration
{
    public static Migration Eighteen { get; } = new(18, "agent jobs keep each attempt's session, usage and result", """
        -- One row per attempt of an agent job: what its agent said of itself, written under the attempt's lease and read by
        -- the next attempt (to resume the session), the API and the daily budget. Cost in micro-dollars (exact).
        CREATE TABLE agent_sessions (
            run_id         bigint  NOT NULL,
            job_id         bigint  NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            attempt        bigint  NOT NULL,
            repository     text    NOT NULL,
            cli            text    NOT NULL,
            model          text,
            session_id     text,
            turns          bigint,
            input_tokens   bigint,
            output_tokens  bigint,
            cost_micros    bigint,
            result         text,
            branch         text    NOT NULL,
            head           text,
            transcript     text,
            verify_failure text,
            ended          bigint  NOT NULL,
            updated_at     bigint  NOT NULL,
            PRIMARY KEY (job_id, attempt)
        );
        CREATE INDEX agent_sessions_spend ON agent_sessions (repository, updated_at);
        CREATE INDEX agent_sessions_run ON agent_sessions (run_id);
        """);
}
