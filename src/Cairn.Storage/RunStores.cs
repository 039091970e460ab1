using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;

namespace Cairn.Storage;

/// <summary>Opens the store that <see cref="StoreSettings"/> names: what the CLI, the server and workers all call.</summary>
public static class RunStores
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <exception cref="StoreConfigurationException">The kind is unknown, the connection is malformed, or the server cannot be reached.</exception>
    /// <exception cref="StoreSchemaException">The database's schema is newer than this build understands.</exception>
    public static async Task<ICairnStore> OpenAsync(StoreSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var leaseDuration = settings.LeaseDuration ?? TimeSpan.FromSeconds(30);
        if (leaseDuration <= TimeSpan.Zero)
        {
            throw new StoreConfigurationException($"the lease duration must be positive, not {leaseDuration}");
        }

        if (string.IsNullOrWhiteSpace(settings.Connection))
        {
            throw new StoreConfigurationException(
                $"the {settings.Kind} store needs a connection: a database file path for sqlite, a connection string for postgres");
        }

        switch (settings.Kind.Trim().ToLowerInvariant())
        {
            case Sqlite:
                return await SqliteRunStore.OpenAsync(
                    new SqliteStoreOptions { Path = settings.Connection, LeaseDuration = leaseDuration }, time, cancellationToken);
            case Postgres or "postgresql":
                return await PostgresRunStore.OpenAsync(
                    new PostgresStoreOptions { ConnectionString = settings.Connection, LeaseDuration = leaseDuration }, time, cancellationToken);
            default:
                throw new StoreConfigurationException($"unknown store kind '{settings.Kind}': use '{Sqlite}' or '{Postgres}'");
        }
    }
}
