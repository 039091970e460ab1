using System.Diagnostics;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;

namespace Cairn.Bench.QueueThroughput;

/// <summary>No-op jobs pushed through a Cairn store: created, queued, leased and completed, as the engine does it: runs start
/// through the coordinator (which queues the jobs that need nothing), and a worker's completion carries its next claim.</summary>
internal sealed class Workload(int workers, int producers, int runSize)
{
    private static readonly string[] NoLabels = [];

    /// <summary>Creates runs and queues their jobs (from several producers, as a server taking many triggers) while the workers
    /// lease and complete them; returns the seconds until the last job completes.</summary>
    public async Task<double> FullCycleAsync(ICairnStore producer, ICairnStore consumer, int jobs, CancellationToken cancellationToken)
    {
        var done = new CountdownEvent(jobs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var pool = StartWorkers(consumer, done, stop.Token);
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(
            () => ProduceAsync(producer, (jobs / producers) + (p < jobs % producers ? 1 : 0), queue: true, cancellationToken),
            cancellationToken)));
        await Task.Run(() => done.Wait(cancellationToken), cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await pool;
        return seconds;
    }

    /// <summary>Only the producers' half of the full cycle: creates runs and queues their jobs, no worker running; returns the seconds.</summary>
    public async Task<double> EnqueueAsync(ICairnStore producer, int jobs, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(
            () => ProduceAsync(producer, (jobs / producers) + (p < jobs % producers ? 1 : 0), queue: true, cancellationToken),
            cancellationToken)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Leases and completes <paramref name="jobs"/> jobs that are already queued; returns the seconds it took.</summary>
    public async Task<double> DrainAsync(ICairnStore store, int jobs, CancellationToken cancellationToken)
    {
        var done = new CountdownEvent(jobs);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var pool = StartWorkers(store, done, stop.Token);
        await Task.Run(() => done.Wait(cancellationToken), cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await pool;
        return seconds;
    }

    /// <summary>Queues one job at a time while every worker is idle, and measures how long until one holds its lease (ms).</summary>
    public async Task<List<double>> PickupAsync(ICairnStore producer, ICairnStore consumer, int samples, CancellationToken cancellationToken)
    {
        var leased = new SemaphoreSlim(0);
        var latencies = new List<double>(samples);
        long queuedAt = 0;
        long sampled = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pool = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    if (await consumer.TryLeaseAsync($"worker-{w}", NoLabels, CancellationToken.None) is { } lease)
                    {
                        var elapsed = Stopwatch.GetElapsedTime(Interlocked.Read(ref queuedAt)).TotalMilliseconds;
                        await CompleteAndLeaseAsync(consumer, lease, $"worker-{w}", CancellationToken.None);

                        // A job an earlier phase left queued is taken and not timed: it was queued before any clock here started.
                        if (lease.RunId != Interlocked.Read(ref sampled))
                        {
                            continue;
                        }

                        lock (latencies)
                        {
                            latencies.Add(elapsed);
                        }

                        leased.Release();
                        continue;
                    }

                    await WaitAsync(consumer, stop.Token);
                }
            },
            CancellationToken.None)));

        var run = await producer.CreateRunAsync(Plan(samples), cancellationToken);
        Interlocked.Exchange(ref sampled, run.Id);
        var jobs = await producer.GetJobsAsync(run.Id, cancellationToken);
        foreach (var job in jobs)
        {
            // Let every worker go back to waiting before the next job arrives.
            await Task.Delay(15, cancellationToken);
            Interlocked.Exchange(ref queuedAt, Stopwatch.GetTimestamp());
            await producer.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, new JobTransition(TimeProvider.System.GetUtcNow()), cancellationToken);
            await leased.WaitAsync(cancellationToken);
        }

        await stop.CancelAsync();
        await pool;
        return latencies;
    }

    /// <summary>Creates runs of <c>runSize</c> jobs that need nothing. With <paramref name="queue"/> each run starts as a
    /// server starts one (<see cref="RunCoordinator.StartRunAsync"/>: created, then its jobs queued); without, it is only
    /// written, its jobs left waiting.</summary>
    public async Task ProduceAsync(ICairnStore store, int jobs, bool queue, CancellationToken cancellationToken)
    {
        var coordinator = new RunCoordinator(store, TimeProvider.System);
        for (var created = 0; created < jobs; created += runSize)
        {
            var plan = Plan(Math.Min(runSize, jobs - created));
            _ = queue ? await coordinator.StartRunAsync(plan, cancellationToken) : await store.CreateRunAsync(plan, cancellationToken);
        }
    }

    private Task StartWorkers(ICairnStore store, CountdownEvent done, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(
            async () =>
            {
                var worker = $"worker-{w}";
                while (!done.IsSet && !stop.IsCancellationRequested)
                {
                    // A worker claims on its own only when its last completion brought no next job, as JobWorker does.
                    var lease = await store.TryLeaseAsync(worker, NoLabels, CancellationToken.None);
                    while (lease is not null)
                    {
                        var next = await CompleteAndLeaseAsync(store, lease, worker, CancellationToken.None);
                        done.Signal();
                        lease = next;
                    }

                    if (!done.IsSet)
                    {
                        await WaitAsync(store, stop);
                    }
                }
            },
            CancellationToken.None)));

    private static async Task<JobLease?> CompleteAndLeaseAsync(ICairnStore store, JobLease lease, string worker, CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        var (_, next) = await store.CompleteAndLeaseAsync(
            lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), worker, NoLabels, cancellationToken);
        return next;
    }

    private static async Task WaitAsync(ICairnStore store, CancellationToken stop)
    {
        try
        {
            await store.WaitForWorkAsync(TimeSpan.FromSeconds(1), stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The scenario is over.
        }
    }

    private static RunPlan Plan(int jobs) => new(
        "bench",
        new TriggerEvent(TriggerKind.Manual, "bench/queue", null, null, new Dictionary<string, string>(), null),
        [.. Enumerable.Range(0, jobs).Select(i => new PlannedJob($"job-{i}", $"key-{i}", [], [], "{}"))]);
}
