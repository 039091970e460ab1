using System.Net.Sockets;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Reads the configured connection string and says, in Cairn's words, why a server could not be used.</summary>
internal sealed record PostgresConnection(NpgsqlConnectionStringBuilder Settings)
{
    public string Endpoint => $"{Settings.Host}:{Settings.Port}";

    public string Location => $"{Endpoint}/{Settings.Database ?? Settings.Username}";

    /// <exception cref="StoreConfigurationException">The string is not one Npgsql accepts, or names no host.</exception>
    public static PostgresConnection Parse(string connectionString)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new StoreConfigurationException($"the PostgreSQL connection string is not valid: {error.Message}", error);
        }

        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            throw new StoreConfigurationException("the PostgreSQL connection string names no Host (e.g. Host=db;Database=cairn;Username=cairn)");
        }

        return new PostgresConnection(settings);
    }

    /// <summary>The pooled connections the store works on: statements are prepared once per connection, and a connection
    /// goes back to the pool without a reset, since the store never changes session state.</summary>
    public string Pooled()
    {
        var pooled = Copy();
        if (pooled.MaxAutoPrepare == 0)
        {
            pooled.MaxAutoPrepare = 32;
            pooled.AutoPrepareMinUsages = 2;
        }

        pooled.NoResetOnClose = true;
        return pooled.ConnectionString;
    }

    /// <summary>The listener's own connection, outside the pool (its LISTEN must not leak to other users) and kept alive.</summary>
    public string Listening()
    {
        var listening = Copy();
        listening.Pooling = false;
        listening.KeepAlive = 10;
        listening.MaxAutoPrepare = 0;
        listening.ApplicationName = "cairn listener";
        return listening.ConnectionString;
    }

    /// <summary>Turns a failure to connect into a message naming the server; null when the error is not about connecting.</summary>
    public StoreConfigurationException? Explain(Exception error) => error switch
    {
        PostgresException { SqlState: var state } refused when state.StartsWith("28", StringComparison.Ordinal) || state == "3D000" =>
            new StoreConfigurationException($"PostgreSQL at {Endpoint} refused the connection: {refused.MessageText}", error),
        PostgresException => null,
        NpgsqlException { InnerException: SocketException socket } =>
            new StoreConfigurationException($"cannot reach PostgreSQL at {Endpoint}: {socket.Message}", error),
        NpgsqlException or TimeoutException =>
            new StoreConfigurationException($"cannot reach PostgreSQL at {Endpoint}: {error.Message}", error),
        _ => null,
    };

    private NpgsqlConnectionStringBuilder Copy() => new(Settings.ConnectionString);
}
