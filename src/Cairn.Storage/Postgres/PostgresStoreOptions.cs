namespace Cairn.Storage.Postgres;

/// <summary>Which PostgreSQL database the store uses and how long a job lease lasts before it needs extending.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (Host, Port, Database, Username, …).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>How far each lease or extension pushes a running job's expiry.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);
}
