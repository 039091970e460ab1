namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema, as the ordered list of changes that build it. Append; never edit a released entry.</summary>
/// <remarks>Times are unix milliseconds (UTC) as in the SQLite schema, so both stores round times alike.</remarks>
internal static class PostgresMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        .. PostgresFirstMigrations.All,
        PostgresAccessMigration.Eleven,
        PostgresAccessMigration.Twelve,
        PostgresAccessMigration.Thirteen,
        PostgresWorkerMigration.Fourteen,
        PostgresLeaseMigration.Fifteen,
        PostgresPriorityMigration.Sixteen,
        PostgresExecutorWaitMigration.Seventeen,
        PostgresAgentMigration.Eighteen,
        PostgresGateMigration.Nineteen,
        PostgresTrackerMigration.Twenty,
        PostgresPullRequestMigration.TwentyOne,
        PostgresArtifactMigration.TwentyTwo,
        PostgresTraceMigration.TwentyThree,
        PostgresRunListMigration.TwentyFive,
        PostgresFairQueueMigration.TwentySix,
        PostgresLogChunkMigration.TwentySeven,
        PostgresActiveJobsMigration.TwentyEight,
        PostgresOutboxMigration.TwentyNine,
    ];

    public static int Latest => All[^1].Version;
}
