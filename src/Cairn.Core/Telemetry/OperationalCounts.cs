namespace Cairn.Core.Telemetry;

/// <summary>One sample of <see cref="IOperationalCounts"/>. Every key of <see cref="JobStates"/>,
/// <see cref="WaitingReasons"/> and <see cref="WorkerStates"/> is present, zero when nothing is in it, so that a gauge's
/// series do not come and go.</summary>
public sealed record OperationalCounts(
    IReadOnlyDictionary<string, long> Jobs,
    IReadOnlyDictionary<string, long> Waiting,
    IReadOnlyDictionary<string, long> Workers,
    long OutboxPending,
    DateTimeOffset? OutboxOldest)
{
    /// <summary>The <c>state</c> values of <c>cairn_jobs</c>.</summary>
    public static readonly IReadOnlyList<string> JobStates = ["queued", "waiting", "running"];

    /// <summary>The <c>reason</c> values of <c>cairn_jobs_waiting</c>: the pending reasons' taxonomy.</summary>
    public static readonly IReadOnlyList<string> WaitingReasons = ["needs", "labels", "concurrency", "quota", "approval", "budget", "repository_limit", "retry"];

    /// <summary>The <c>state</c> values of <c>cairn_workers</c> the store knows (HTTP workers).</summary>
    public static readonly IReadOnlyList<string> WorkerStates = ["connected", "busy", "paused", "offline"];

    public static OperationalCounts Empty { get; } = From([], null);

    /// <summary>Builds a sample from (kind, key, count) rows, kind being <c>job</c>, <c>wait</c> or <c>worker</c>; keys
    /// outside the sets are dropped.</summary>
    public static OperationalCounts From(IEnumerable<(string Kind, string Key, long Count)> rows, (long Pending, DateTimeOffset? Oldest)? outbox)
    {
        var jobs = JobStates.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        var waiting = WaitingReasons.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        var workers = WorkerStates.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var (kind, key, count) in rows)
        {
            var into = kind switch { "job" => jobs, "wait" => waiting, "worker" => workers, _ => null };
            if (into is not null && into.ContainsKey(key))
            {
                into[key] += count;
            }
        }

        return new OperationalCounts(jobs, waiting, workers, outbox?.Pending ?? 0, outbox?.Oldest);
    }
}
