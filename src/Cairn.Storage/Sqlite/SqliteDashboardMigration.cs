namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's indexes for the dashboard's pages (migration 10).</summary>
internal static class SqliteDashboardMigration
{
    public static Migration Ten { get; } = new(10, "indexes for the dashboard's pages: the latest run of each branch, a repository's runs by status", """
        -- The repositories page reads the latest run of every (repository, ref): with this index that is one walk of
        -- the index, never of the table, and a repository's runs of one branch come newest first from it too.
        CREATE INDEX runs_latest_by_branch ON runs (repository, ref, id);
        -- The runs page filtered by a repository and a status (its failed runs) reads only the rows it shows.
        CREATE INDEX runs_by_repository_status ON runs (repository, status, id);
        """);
}
