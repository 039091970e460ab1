namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's trace context of runs and journaled deliveries (migration 23).</summary>
internal static class PostgresTraceMigration
{
    public static Migration TwentyThree { get; } = new(23, "runs and journaled deliveries keep their trace context", """
        -- The W3C traceparent of the run's root span, written when the run is created: its jobs' spans, in whichever
        -- process leases them, and its statuses' deliveries join the run's trace. NULL when nothing traced the run.
        ALTER TABLE runs ADD COLUMN trace_parent text;

        -- The traceparent of the webhook delivery's span, so that planning it later is a part of the same trace.
        ALTER TABLE event_journal ADD COLUMN trace_parent text;
        """);
}
