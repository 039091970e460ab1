using System.Globalization;
using Cairn.Core.Pipelines;

namespace Cairn.Storage.Portable;

/// <summary>The order of queued jobs within a priority: by a fair key written when a job becomes queued, then by id.</summary>
/// <remarks>The key is where the queue stands when the job is queued plus its position among the jobs its run queues at
/// that moment (0, 1, 2, …) times <see cref="SliceMillis"/>; a retry's key is the time its back-off ends. Where the queue
/// stands is the time of queueing, or, when the workers are still busy with jobs keyed earlier (a backlog), the round they
/// are on: the largest key among the running jobs, raised to the largest key, less than a slice above it and not after
/// the clock, of a queued job keyed no later than the moment it was queued (a run's first job, typically). A run that
/// arrives during a backlog so joins the round the workers are on instead of waiting behind every job keyed between that
/// round and the clock, yet never goes ahead of the first job of a run that arrived before it: a run arriving while the
/// workers ran slices ahead of the clock is keyed at the clock, below the running jobs, and once those ended the running
/// jobs alone put the round below it, so that every later arrival went ahead of it for as long as arrivals lasted. So a
/// burst of runs has every run's first job claimed before any run's second, in the order they arrived, however long the
/// runs take to plan; a run of a thousand jobs holds back a run queued after it by at most the jobs keyed before the new
/// run's; and a run's jobs keep their order among themselves.</remarks>
internal static class FairOrder
{
    /// <summary>How much later each next job of a run queued together is keyed: one second.</summary>
    public const long SliceMillis = 1000;

    /// <summary>Every priority's number: the fair index leads with the priority, so a seek names each.</summary>
    private static readonly string Priorities = string.Join(", ", Enum.GetValues<JobPriority>().Select(p => ((int)p).ToString(CultureInfo.InvariantCulture)));

    /// <summary>Where the queue stands for jobs queued at <c>@at</c>: the round the workers are on when it is earlier (see
    /// the remarks), else <c>@at</c>. Running jobs are few (one per worker slot); the statement reads them once, and seeks
    /// the queued jobs of one slice in the fair index of each priority.</summary>
    public static readonly string Standing = $"""
        (SELECT CASE WHEN queue_round.fair_key IS NULL OR queue_round.fair_key >= @at THEN @at
            ELSE coalesce((
                SELECT max(waiting.fair_key) FROM jobs AS waiting
                WHERE waiting.status = 'queued' AND waiting.priority IN ({Priorities})
                  AND waiting.fair_key >= queue_round.fair_key
                  AND waiting.fair_key < queue_round.fair_key + {SliceMillis} AND waiting.fair_key <= @at
                  AND waiting.fair_key <= waiting.changed_at), queue_round.fair_key)
            END
        FROM (SELECT max(running.fair_key) AS fair_key FROM jobs AS running WHERE running.status = 'running') AS queue_round)
        """;

    /// <summary>Reads <see cref="Standing"/> on its own, for the jobs a run is created with.</summary>
    public static readonly string ReadStanding = $"SELECT {Standing};";

    /// <summary>The key of the job at <paramref name="position"/> among those its run queued where the queue stood at
    /// <paramref name="standing"/> (unix milliseconds).</summary>
    public static long KeyOf(long standing, int position) => standing + (position * SliceMillis);

    /// <summary>The key's expression in a statement that queues jobs of one run at <c>@at</c>, the lowest id among them being
    /// <c>@lowest</c>: a run's jobs have ids in its order, so how far a job's id is from the lowest is its position among
    /// them, or more where the run's jobs between them are not being queued (a job then stands a little later than its
    /// position says, never before a job of its run it follows). Cheaper than naming each job's position in the
    /// statement, which tripled the cost of queueing a run's jobs on SQLite.</summary>
    public static readonly string KeyOfReleased = $"{Standing} + (id - @lowest) * {SliceMillis}";
}
