namespace Cairn.Storage.Sqlite;

/// <summary>The one turn at writing that the writers of a process take in order, with a lane for writes someone is
/// waiting on: when the turn is passed on, an urgent writer goes before every ordinary one, first come first served
/// within each lane.</summary>
/// <remarks>
/// A forge waits for the answer to its webhook, and the answer waits for the delivery's journal entry; in a burst, run
/// creations, claims and log appends queue for the same turn, and a plain first-in-first-out turn made the answer wait
/// for all of them. An urgent writer still waits for the writer holding the turn; ordinary writers are only ever
/// overtaken by urgent ones, which are few and short.
/// </remarks>
internal sealed class SqliteWriteTurns
{
    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _urgent = new();
    private readonly Queue<TaskCompletionSource> _ordinary = new();
    private bool _held;

    /// <summary>Waits for the turn; dispose the result to pass it on. A cancelled wait leaves the turn to the next.</summary>
    public async Task<Turn> TakeAsync(bool urgent, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return new Turn(this);
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (urgent ? _urgent : _ordinary).Enqueue(waiter);
        }

        // A waiter cancelled before the turn reaches it stays queued, and the hand-over passes it by.
        using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter))
        {
            await waiter.Task.ConfigureAwait(false);
        }

        return new Turn(this);
    }

    private void PassOn()
    {
        lock (_gate)
        {
            while (_urgent.TryDequeue(out var next) || _ordinary.TryDequeue(out next))
            {
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _held = false;
        }
    }

    /// <summary>The turn, held until disposed.</summary>
    internal readonly struct Turn(SqliteWriteTurns turns) : IDisposable
    {
        public void Dispose() => turns.PassOn();
    }
}
