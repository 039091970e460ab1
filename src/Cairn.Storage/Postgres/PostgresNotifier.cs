using System.Globalization;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Postgres;

/// <summary>Tells the other store instances, on one channel, that something happened (jobs were queued, statuses changed),
/// with as few NOTIFYs as a burst allows.</summary>
/// <remarks>
/// A NOTIFY per queued job costs every committing transaction a turn at the server's notification queue and every
/// listener a wake-up, which halved the rate at which jobs could be queued. Instead, after its commit, each queueing
/// asks for one notification; while one is being sent, further asks are counted and answered by one more send that
/// starts after them. So every commit is followed by a notification sent after it, carrying how many jobs it covers.
/// </remarks>
internal sealed class PostgresNotifier(PostgresDatabase database, string origin, string channel)
{
    private int _asked;
    private Task _sending = Task.CompletedTask;

    /// <summary>Records that one more event is committed; a notification covering it will follow.</summary>
    public void Notify()
    {
        if (Interlocked.Increment(ref _asked) == 1)
        {
            _sending = Task.Run(SendAsync);
        }
    }

    /// <summary>Waits for the notifications already asked for.</summary>
    public Task FlushAsync() => Volatile.Read(ref _sending);

    private async Task SendAsync()
    {
        int covered;
        do
        {
            covered = Volatile.Read(ref _asked);
            try
            {
                await database.ExecuteAsync(
                    PostgresSql.Notify,
                    command => command.Bind("@channel", channel).Bind("@payload", Payload(origin, covered)),
                    CancellationToken.None);
            }
            catch (Exception error) when (error is Npgsql.NpgsqlException or IOException or TimeoutException or ObjectDisposedException)
            {
                // Waiters elsewhere will find what happened at their next safety-net poll or heartbeat.
            }
        }
        while (Interlocked.Add(ref _asked, -covered) != 0);
    }

    public static string Payload(string origin, long count) => string.Create(CultureInfo.InvariantCulture, $"{origin}:{count}");

    /// <summary>Reads a payload ("origin:number": a count, a run id or a job id); false when it is not one of ours.</summary>
    public static bool TryRead(string payload, out string origin, out long number)
    {
        var colon = payload.LastIndexOf(':');
        origin = colon > 0 ? payload[..colon] : payload;
        return long.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out number) && colon > 0;
    }
}
