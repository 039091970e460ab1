namespace Cairn.Storage.Signals;

/// <summary>Wakes the followers of one job's log in this process when lines are appended to it: a broadcast per job, so
/// every follower of the job wakes and no follower of another does.</summary>
internal sealed class LogSignal
{
    private readonly Dictionary<long, Pulse> _jobs = [];

    /// <summary>Wakes every follower of <paramref name="jobId"/> that has entered.</summary>
    public void Wake(long jobId)
    {
        Pulse? pulse;
        lock (_jobs)
        {
            if (!_jobs.Remove(jobId, out pulse))
            {
                return;
            }
        }

        pulse.Source.TrySetResult();
    }

    /// <summary>Every follower wakes: for when appends may have gone unheard (a listener's connection was down).</summary>
    public void WakeAll()
    {
        List<Pulse> pulses;
        lock (_jobs)
        {
            pulses = [.. _jobs.Values];
            _jobs.Clear();
        }

        foreach (var pulse in pulses)
        {
            pulse.Source.TrySetResult();
        }
    }

    /// <summary>Takes a place among the job's followers before the caller looks at the log, so that lines appended after
    /// the look still wake it. Dispose the result to leave.</summary>
    public Follower Enter(long jobId)
    {
        lock (_jobs)
        {
            if (!_jobs.TryGetValue(jobId, out var pulse))
            {
                _jobs[jobId] = pulse = new Pulse();
            }

            pulse.Followers++;
            return new Follower(this, jobId, pulse);
        }
    }

    private void Leave(long jobId, Pulse pulse)
    {
        lock (_jobs)
        {
            // A pulse that already woke was taken out; only the job's current one is dropped with its last follower.
            if (--pulse.Followers == 0 && _jobs.TryGetValue(jobId, out var current) && current == pulse)
            {
                _jobs.Remove(jobId);
            }
        }
    }

    internal sealed class Pulse
    {
        public TaskCompletionSource Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Followers { get; set; }
    }

    /// <summary>One follower's place: <see cref="Woken"/> completes at the job's next wake-up.</summary>
    internal sealed class Follower(LogSignal signal, long jobId, Pulse pulse) : IDisposable
    {
        private bool _left;

        public Task Woken => pulse.Source.Task;

        public void Dispose()
        {
            if (!_left)
            {
                _left = true;
                signal.Leave(jobId, pulse);
            }
        }
    }
}
