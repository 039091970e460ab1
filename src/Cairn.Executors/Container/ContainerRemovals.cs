using System.Collections.Concurrent;

namespace Cairn.Executors.Container;

/// <summary>Removes ended jobs' containers after their outcome is known, off the job's critical path: killing and
/// removing a container is the engine's slowest call (its network is torn down), and nothing of the job's verdict depends
/// on it. What still runs in the container is frozen before the outcome is returned
/// (<see cref="JobContainer.FreezeAsync"/>), so nothing of the job runs after it. Every container carries its owner's
/// label from creation, so one whose removal never happened (the process was killed meanwhile) or failed is found by
/// <see cref="LeftoverSweep"/>; a failed one is also tried again with the next jobs' removals, up to
/// <see cref="MaxAttempts"/> tries in all. When <see cref="MaxPending"/> removals are still running a job's removal runs
/// in line instead, so a burst of short jobs cannot pile up containers on the engine.</summary>
internal sealed class ContainerRemovals
{
    /// <summary>How many removals may run behind the jobs before the next job waits for its own.</summary>
    public const int MaxPending = 4;

    /// <summary>How many times a job's removal is tried in all before it is left to the sweep.</summary>
    private const int MaxAttempts = 3;

    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly ConcurrentQueue<(JobContainer Container, int Attempts)> _failed = new();

    /// <summary>True while fewer than <see cref="MaxPending"/> removals run.</summary>
    public bool HasRoom => _pending.Count < MaxPending;

    /// <summary>Starts removing <paramref name="container"/> and returns at once; false when too many removals are
    /// still running, and then nothing was started.</summary>
    public bool TryStart(JobContainer container)
    {
        if (!HasRoom)
        {
            return false;
        }

        var removal = RemoveAsync(container);
        _pending[removal] = 0;
        _ = removal.ContinueWith(done => _pending.TryRemove(done, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    /// <summary>Has the next job's removal try <paramref name="container"/> again: one whose removal in line failed.</summary>
    public void RetryLater(JobContainer container) => _failed.Enqueue((container, 1));

    /// <summary>Completes when every removal started so far has ended, removed or not.</summary>
    public Task DrainAsync() => Task.WhenAll(_pending.Keys);

    private async Task RemoveAsync(JobContainer container)
    {
        // Let the caller go on with the job's outcome before the first call to the engine.
        await Task.Yield();
        var removals = new List<(JobContainer Container, int Attempts)> { (container, 0) };
        while (removals.Count <= MaxPending && _failed.TryDequeue(out var failed))
        {
            removals.Add(failed);
        }

        foreach (var (each, attempts) in removals)
        {
            if (await each.RemoveAsync() is not null && attempts + 1 < MaxAttempts)
            {
                _failed.Enqueue((each, attempts + 1));
            }
        }
    }
}
