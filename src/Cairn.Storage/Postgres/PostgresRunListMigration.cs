namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's indexes for the runs list filtered by branch or by event alone (migration 25).</summary>
internal static class PostgresRunListMigration
{
    public static Migration TwentyFive { get; } = new(25, "indexes for the runs list filtered by a branch or an event alone", """
        -- Without these, a branch or an event few runs have (a schedule's, a manual one) was looked for by walking every
        -- run newest first: the whole table when none or few match (70 ms at 100,000 runs, growing with the history).
        CREATE INDEX runs_by_ref ON runs (ref, id);
        CREATE INDEX runs_by_event ON runs (event, id);
        """);
}
