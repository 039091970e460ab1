namespace Cairn.Storage.Sqlite;

/// <summary>The schema the SQLite migrations leave, as SQLite itself holds it (each object's text in
/// <c>sqlite_master</c>, in the order they were made), from <c>SqliteSchema.sql</c> beside this file. A new database
/// (every local run's) is built from it in one batch instead of by replaying every migration.
/// <c>SqliteSchemaSnapshotTests</c> (tests/Cairn.Storage.Tests) holds it to the migrations, object by object; after a
/// migration is added, run those tests with <c>CAIRN_UPDATE_GOLDEN=1</c> to write it again.</summary>
internal static class SqliteSchemaSnapshot
{
    private const string VersionLine = "-- version: ";

    private static readonly Lazy<(int Version, string Sql)> Loaded = new(Load);

    /// <summary>The migration the snapshot is the schema after.</summary>
    public static int Version => Loaded.Value.Version;

    /// <summary>Every statement, one after another.</summary>
    public static string Sql => Loaded.Value.Sql;

    /// <summary>The resource's name in this assembly.</summary>
    public const string ResourceName = "Cairn.Storage.Sqlite.SqliteSchema.sql";

    private static (int, string) Load()
    {
        using var stream = typeof(SqliteSchemaSnapshot).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the resource {ResourceName} is missing from Cairn.Storage");
        using var reader = new StreamReader(stream);
        var sql = reader.ReadToEnd();
        var line = sql.Split('\n').FirstOrDefault(l => l.StartsWith(VersionLine, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{ResourceName} does not say its version ('{VersionLine}N')");
        return (int.Parse(line.AsSpan(VersionLine.Length), System.Globalization.CultureInfo.InvariantCulture), sql);
    }

    /// <summary>The text of the snapshot for a schema at <paramref name="version"/> made of
    /// <paramref name="statements"/>; what the update writes.</summary>
    public static string Write(int version, IEnumerable<string> statements) =>
        $"""
        -- The SQLite schema after its migrations, as sqlite_master holds it, in the order its objects were made (the
        -- tables SQLite makes for itself and for the full-text index left out). Written by SqliteSchemaSnapshotTests
        -- with CAIRN_UPDATE_GOLDEN=1; do not edit by hand: add a migration, then write this again.
        {VersionLine}{version}

        """ + string.Concat(statements.Select(s => s.Trim() + ";\n\n"));
}
