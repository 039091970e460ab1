namespace Cairn.Storage.Sqlite;

/// <summary>Where the SQLite store keeps its file and how long a job lease lasts before it needs extending.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>The database file; created, with its directory, when missing.</summary>
    public required string Path { get; init; }

    /// <summary>How far each lease or extension pushes a running job's expiry.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);
}
