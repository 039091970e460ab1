namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema, as the ordered list of changes that build it. Append; never edit a released entry.</summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        .. SqliteFirstMigrations.All,
        SqliteDashboardMigration.Ten,
        SqliteAccessMigration.Eleven,
        SqliteAccessMigration.Twelve,
        SqliteAccessMigration.Thirteen,
        SqliteWorkerMigration.Fourteen,
        SqliteLeaseMigration.Fifteen,
        SqlitePriorityMigration.Sixteen,
        SqliteExecutorWaitMigration.Seventeen,
        SqliteAgentMigration.Eighteen,
        SqliteGateMigration.Nineteen,
        SqliteTrackerMigration.Twenty,
        SqlitePullRequestMigration.TwentyOne,
        SqliteArtifactMigration.TwentyTwo,
        SqliteTraceMigration.TwentyThree,
        SqliteLogChunkMigration.TwentyFour,
        SqliteRunListMigration.TwentyFive,
        SqliteFairQueueMigration.TwentySix,
        SqliteActiveJobsMigration.TwentySeven,
        SqliteOutboxMigration.TwentyEight,
    ];

    public static int Latest => All[^1].Version;
}
