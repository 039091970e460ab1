namespace Cairn.Storage.Sqlite;

/// <summary>The one turn at writing that the writers of a process take in order, with a lane for writes someone is
/// waiting on: an urgent writer goes before the ordinary writers waiting (all but the one already next in line), first
/// come first served within each lane.</summary>
/// <remarks>
/// A forge waits for the answer to its webhook, and the answer waits for the delivery's journal entry; in a burst, run
/// creations, claims and log appends queue for the same turn, and a plain first-in-first-out turn made the answer wait
/// for all of them. An urgent writer still waits for the writer holding the turn and at most one ordinary writer queued
/// before it; ordinary writers are only ever overtaken by urgent ones, which are few and short.
/// </remarks>
internal sealed class SqliteWriteTurns : IDisposable
{
    // The turn itself, which urgent writers wait for directly; ordinary writers first wait for the ordinary lane, so that at
    // most one of them waits for the turn beside the urgent ones. Two semaphores: a hand-made queue of waiters cost the
    // queue bench's workers, who take the turn thousands of times a second, a quarter of their rate.
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly SemaphoreSlim _ordinary = new(1, 1);
    private readonly Action? _passed;

    /// <param name="passed">Called once each turn has been passed on (its writes committed or rolled back).</param>
    public SqliteWriteTurns(Action? passed = null) => _passed = passed;

    /// <summary>Waits for the turn; dispose the result to pass it on. A cancelled wait leaves the turn to the next.</summary>
    public async Task<Turn> TakeAsync(bool urgent, CancellationToken cancellationToken)
    {
        if (urgent)
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Turn(this, ordinary: false);
        }

        await _ordinary.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ordinary.Release();
            throw;
        }

        return new Turn(this, ordinary: true);
    }

    public void Dispose()
    {
        _turn.Dispose();
        _ordinary.Dispose();
    }

    // The turn is passed on before anyone hears of it: nothing the callback does can keep it from the next writer.
    private void PassOn(bool ordinary)
    {
        _turn.Release();
        if (ordinary)
        {
            _ordinary.Release();
        }

        _passed?.Invoke();
    }

    /// <summary>The turn, held until disposed.</summary>
    internal readonly struct Turn(SqliteWriteTurns turns, bool ordinary) : IDisposable
    {
        public void Dispose() => turns.PassOn(ordinary);
    }
}
