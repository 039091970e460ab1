using Cairn.Storage.Portable;
using Cairn.Storage.Signals;

namespace Cairn.Storage.Postgres;

/// <summary>Wakes this process's waiters at once, and those of every other store instance on the database through
/// NOTIFY: queued jobs and status changes in batches (<see cref="PostgresNotifier"/>), a cancel request at once. Queueing
/// a job is a status change too: its one notification, on the jobs channel, tells listeners both.</summary>
internal sealed class PostgresStoreEvents(PostgresDatabase database, StoreSignals signals, string origin) : IStoreEvents
{
    private readonly PostgresNotifier _jobs = new(database, origin, PostgresSql.JobsChannel);
    private readonly PostgresNotifier _changes = new(database, origin, PostgresSql.ChangesChannel);

    public void StatusChanged(bool jobQueued = false)
    {
        signals.Changes.Pulse();
        if (jobQueued)
        {
            signals.Work.Pulse();
            _jobs.Notify();
        }
        else
        {
            _changes.Notify();
        }
    }

    public async Task CancelRequestedAsync(long runId, CancellationToken cancellationToken)
    {
        signals.Cancels.Pulse(runId);
        try
        {
            await database.ExecuteAsync(
                PostgresSql.Notify,
                command => command.Bind("@channel", PostgresSql.CancelsChannel).Bind("@payload", PostgresNotifier.Payload(origin, runId)),
                cancellationToken);
        }
        catch (Exception error) when (error is Npgsql.NpgsqlException or IOException or TimeoutException)
        {
            // The request is stored: workers elsewhere see it at their next heartbeat.
        }
    }

    /// <summary>Waits for the notifications already asked for.</summary>
    public Task FlushAsync() => Task.WhenAll(_jobs.FlushAsync(), _changes.FlushAsync());
}
