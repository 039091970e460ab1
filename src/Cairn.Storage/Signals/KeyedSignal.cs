namespace Cairn.Storage.Signals;

/// <summary>Wakes, in this process, everyone watching one key (a run, a job): a broadcast per key, so that every watcher
/// of the key wakes and no watcher of another does.</summary>
/// <remarks>A watcher enters before it looks at what it waits for, so that a change made after the look still wakes it.
/// The store wakes the followers of a job's log with it, the server the watchers of a run's or a job's changes.</remarks>
public sealed class KeyedSignal
{
    private readonly Dictionary<long, Pulse> _keys = [];

    /// <summary>Wakes every watcher of <paramref name="key"/> that has entered.</summary>
    public void Wake(long key)
    {
        Pulse? pulse;
        lock (_keys)
        {
            if (!_keys.Remove(key, out pulse))
            {
                return;
            }
        }

        pulse.Source.TrySetResult();
    }

    /// <summary>Wakes every watcher of every key: for when wake-ups may have gone unheard (a listener or a reader was
    /// down).</summary>
    public void WakeAll()
    {
        List<Pulse> pulses;
        lock (_keys)
        {
            pulses = [.. _keys.Values];
            _keys.Clear();
        }

        foreach (var pulse in pulses)
        {
            pulse.Source.TrySetResult();
        }
    }

    /// <summary>Starts watching <paramref name="key"/>: take it before looking, so that a change made after the look still
    /// wakes the watcher. Dispose it to stop.</summary>
    public Watcher Enter(long key)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(key, out var pulse))
            {
                _keys[key] = pulse = new Pulse();
            }

            pulse.Watchers++;
            return new Watcher(this, key, pulse);
        }
    }

    private void Leave(long key, Pulse pulse)
    {
        lock (_keys)
        {
            // A pulse that already woke was taken out; only the key's current one is dropped with its last watcher.
            if (--pulse.Watchers == 0 && _keys.TryGetValue(key, out var current) && current == pulse)
            {
                _keys.Remove(key);
            }
        }
    }

    /// <summary>The wake-up the watchers of one key share; replaced by a new one once it has woken them.</summary>
    internal sealed class Pulse
    {
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Watchers { get; set; }
    }

    /// <summary>One watcher of one key: <see cref="Woken"/> completes at the key's next wake-up after it was taken.</summary>
    public sealed class Watcher : IDisposable
    {
        private readonly KeyedSignal _signal;
        private readonly long _key;
        private readonly Pulse _pulse;
        private bool _left;

        internal Watcher(KeyedSignal signal, long key, Pulse pulse)
        {
            _signal = signal;
            _key = key;
            _pulse = pulse;
        }

        public Task Woken => _pulse.Source.Task;

        public void Dispose()
        {
            if (!_left)
            {
                _left = true;
                _signal.Leave(_key, _pulse);
            }
        }
    }
}
