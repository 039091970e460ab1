namespace Cairn.Server.Streaming;

/// <summary>Wakes, in this process, everyone watching one key (a run, a job): a broadcast per key, so that a wake-up
/// of one key reaches no watcher of another.</summary>
internal sealed class KeyedSignal
{
    private readonly Dictionary<long, Pulse> _keys = [];

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

    /// <summary>Starts watching <paramref name="key"/>: take it before looking at the store, so a change made after the
    /// look still wakes the watcher. Dispose it to stop.</summary>
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
            if (--pulse.Watchers == 0 && _keys.TryGetValue(key, out var current) && current == pulse)
            {
                _keys.Remove(key);
            }
        }
    }

    internal sealed class Pulse
    {
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Watchers { get; set; }
    }

    /// <summary>One watcher: <see cref="Woken"/> completes at the key's next wake-up after it was taken.</summary>
    internal sealed class Watcher(KeyedSignal signal, long key, Pulse pulse) : IDisposable
    {
        private bool _left;

        public Task Woken => pulse.Source.Task;

        public void Dispose()
        {
            if (!_left)
            {
                _left = true;
                signal.Leave(key, pulse);
            }
        }
    }
}
