using System.Collections.Concurrent;

namespace Cairn.Executors.Container;

/// <summary>Removes ended jobs' containers after their outcome is known, off the job's critical path: killing and
/// removing a container is the engine's slowest call (its network is torn down), and nothing of the job's verdict depends
/// on it. Every container carries its owner's label from creation, so one whose removal never happened (the process
/// was killed meanwhile) or failed is found by <see cref="LeftoverSweep"/>; a failed one is also tried again with the
/// next job's removal. When <see cref="MaxPending"/> removals are still running a job's removal runs in line instead,
/// so a burst of short jobs cannot pile up containers on the engine.</summary>
internal sealed class ContainerRemovals
{
    /// <summary>How many removals may run behind the jobs before the next job waits for its own.</summary>
    public const int MaxPending = 4;

    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly ConcurrentQueue<JobContainer> _failed = new();

    /// <summary>Starts removing <paramref name="container"/> and returns at once; false when too many removals are
    /// still running, and then nothing was started.</summary>
    public bool TryStart(JobContainer container)
    {
        if (_pending.Count >= MaxPending)
        {
            return false;
        }

        var removal = RemoveAsync(container);
        _pending[removal] = 0;
        _ = removal.ContinueWith(done => _pending.TryRemove(done, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    /// <summary>Completes when every removal started so far has ended, removed or not.</summary>
    public Task DrainAsync() => Task.WhenAll(_pending.Keys);

    private async Task RemoveAsync(JobContainer container)
    {
        // Let the caller go on with the job's outcome before the first call to the engine.
        await Task.Yield();
        var retries = new List<JobContainer>();
        while (retries.Count < MaxPending && _failed.TryDequeue(out var failed))
        {
            retries.Add(failed);
        }

        foreach (var each in retries.Prepend(container))
        {
            if (await each.RemoveAsync() is not null)
            {
                _failed.Enqueue(each);
            }
        }
    }
}
