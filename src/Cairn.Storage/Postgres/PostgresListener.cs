using Cairn.Storage.Signals;
using Npgsql;

namespace Cairn.Storage.Postgres;

/// <summary>Holds one connection that listens for what other store instances (other processes, other replicas) do, and
/// wakes this store's waiters: idle workers when jobs are queued, change-feed readers when statuses change, heartbeats
/// when a run is asked to cancel, followers of a job's log when lines are appended to it. Reconnects when the connection
/// drops.</summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private const int MaxPulsesPerNotification = 64;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly StoreSignals _signals;
    private readonly string _origin;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private PostgresListener(string connectionString, StoreSignals signals, string origin, TimeProvider time)
    {
        _connectionString = connectionString;
        _signals = signals;
        _origin = origin;
        _time = time;
    }

    /// <summary>Returns once the first LISTEN is in place, so nothing done after the store opened goes unheard.</summary>
    public static async Task<PostgresListener> StartAsync(
        string connectionString, StoreSignals signals, string origin, TimeProvider time, CancellationToken cancellationToken)
    {
        var listener = new PostgresListener(connectionString, signals, origin, time);
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

                // Whatever happened while the connection was down went unheard: let every waiter look once.
                _signals.PulseAll();
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

    // This instance already woke its own waiters when it made the change.
    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (!PostgresNotifier.TryRead(notification.Payload, out var origin, out var number))
        {
            _signals.PulseAll();
            return;
        }

        if (string.Equals(origin, _origin, StringComparison.Ordinal))
        {
            return;
        }

        switch (notification.Channel)
        {
            case PostgresSql.JobsChannel:
                for (var i = 0; i < Math.Min(number, MaxPulsesPerNotification); i++)
                {
                    _signals.Work.Pulse();
                }

                // Queueing a job is a status change: the queueing store sent this one notification for both.
                _signals.Changes.Pulse();
                break;
            case PostgresSql.ChangesChannel:
                _signals.Changes.Pulse();
                break;
            case PostgresSql.CancelsChannel:
                _signals.Cancels.Pulse(number);
                break;
            case PostgresSql.LogsChannel:
                _signals.Logs.Wake(number);
                break;
        }
    }

    private static bool IsConnectionFailure(Exception error) =>
        error is NpgsqlException or IOException or InvalidOperationException or TimeoutException;
}
