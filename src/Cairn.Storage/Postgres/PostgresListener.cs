using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Holds one connection that listens on <see cref="PostgresSql.Channel"/> and pulses this store's idle workers
/// when another store instance (another process, another replica) queues a job. Reconnects when the connection drops.</summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private const int MaxPulsesPerNotification = 64;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly WorkSignal _signal;
    private readonly string _origin;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private PostgresListener(string connectionString, WorkSignal signal, string origin, TimeProvider time)
    {
        _connectionString = connectionString;
        _signal = signal;
        _origin = origin;
        _time = time;
    }

    /// <summary>Returns once the first LISTEN is in place, so nothing queued after the store opened goes unheard.</summary>
    public static async Task<PostgresListener> StartAsync(
        string connectionString, WorkSignal signal, string origin, TimeProvider time, CancellationToken cancellationToken)
    {
        var listener = new PostgresListener(connectionString, signal, origin, time);
        var connection = await listener.ConnectAsync(cancellationToken);
        listener._loop = Task.Run(() => listener.ListenAsync(connection, listener._stop.Token), CancellationToken.None);
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task ListenAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error) when (IsConnectionFailure(error))
            {
                await connection.DisposeAsync();
                if (await ReconnectAsync(stop) is not { } fresh)
                {
                    return;
                }

                connection = fresh;

                // Whatever was queued while the connection was down went unheard: let the workers look once.
                _signal.Pulse();
            }
        }

        await connection.DisposeAsync();
    }

    /// <summary>Tries again at once, then backs off up to <see cref="MaxBackoff"/>; null when the listener is stopping.</summary>
    private async Task<NpgsqlConnection?> ReconnectAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, _time, stop);
                }

                return await ConnectAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception error) when (IsConnectionFailure(error))
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        return null;
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Notification += OnNotification;
            await using var listen = new NpgsqlCommand(PostgresSql.Listen, connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // This instance already pulsed its own workers when it queued the jobs.
    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (!PostgresNotifier.TryRead(notification.Payload, out var origin, out var jobs))
        {
            _signal.Pulse();
            return;
        }

        if (!string.Equals(origin, _origin, StringComparison.Ordinal))
        {
            for (var i = 0; i < Math.Min(jobs, MaxPulsesPerNotification); i++)
            {
                _signal.Pulse();
            }
        }
    }

    private static bool IsConnectionFailure(Exception error) =>
        error is NpgsqlException or IOException or InvalidOperationException or TimeoutException;
}
