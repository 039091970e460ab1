namespace Cairn.Core.Runs;

/// <summary>The moves a run's status may make, as a table: every transition of a run is a compare-and-set from one of
/// these "from" states. A run is created running, or waiting when a maintainer must approve it first or when it is held
/// behind an older run of its concurrency group; a waiting run starts when approved or when its group frees, or is
/// cancelled (rejected, cancelled, superseded); a running run ends. Not to be confused with
/// the store's <c>run_transitions</c> table, which keeps the history of approvals.</summary>
public static class RunStatusTransitions
{
    private static readonly Dictionary<RunStatus, RunStatus[]> Moves = new()
    {
        [RunStatus.Waiting] = [RunStatus.Running, RunStatus.Cancelled],
        [RunStatus.Running] = [RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled],
        [RunStatus.Succeeded] = [],
        [RunStatus.Failed] = [],
        [RunStatus.Cancelled] = [],
    };

    /// <summary>Every allowed move, from → to.</summary>
    public static IReadOnlyList<(RunStatus From, RunStatus To)> All { get; } =
        [.. Moves.SelectMany(move => move.Value.Select(to => (move.Key, to)))];

    public static bool IsAllowed(RunStatus from, RunStatus to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>What a refused move says: "a run does not move from X to Y".</summary>
    public static string Refusal(RunStatus from, RunStatus to) => $"a run does not move from {from.ToWire()} to {to.ToWire()}";
}

/// <summary>The moves a job's status may make, as a table: every transition of a job is a compare-and-set from one of
/// these "from" states. A job is created waiting (or succeeded, when a rerun reuses it). The coordinator queues, skips or
/// cancels a waiting job, and cancels or fails a queued one; only a lease moves a job into running (queued → running)
/// and out of it: to an end, or back to queued for a retry.</summary>
public static class JobStatusTransitions
{
    private static readonly Dictionary<JobStatus, JobStatus[]> Moves = new()
    {
        [JobStatus.Waiting] = [JobStatus.Queued, JobStatus.Skipped, JobStatus.Cancelled],
        [JobStatus.Queued] = [JobStatus.Running, JobStatus.Failed, JobStatus.Cancelled],

        // A lease ends in any terminal status its outcome names, or requeues the job for its next attempt.
        [JobStatus.Running] = [JobStatus.Queued, JobStatus.Succeeded, JobStatus.Failed, JobStatus.Skipped, JobStatus.Cancelled],
        [JobStatus.Succeeded] = [],
        [JobStatus.Failed] = [],
        [JobStatus.Skipped] = [],
        [JobStatus.Cancelled] = [],
    };

    /// <summary>Every allowed move, from → to.</summary>
    public static IReadOnlyList<(JobStatus From, JobStatus To)> All { get; } =
        [.. Moves.SelectMany(move => move.Value.Select(to => (move.Key, to)))];

    public static bool IsAllowed(JobStatus from, JobStatus to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>What a refused move says: "a job does not move from X to Y".</summary>
    public static string Refusal(JobStatus from, JobStatus to) => $"a job does not move from {from.ToWire()} to {to.ToWire()}";
}

/// <summary>The moves of an approval job's gate, apart from <see cref="JobStatusTransitions"/> (which no ordinary job
/// leaves waiting by but to be queued, skipped or cancelled): an approval job is never leased, and its gate ends it
/// straight from waiting — succeeded when approved, failed when its deadline passed (class timeout), cancelled when
/// rejected.</summary>
public static class GateStatusTransitions
{
    /// <summary>Every allowed move of a gate's job, from → to.</summary>
    public static IReadOnlyList<(JobStatus From, JobStatus To)> All { get; } =
    [
        (JobStatus.Waiting, JobStatus.Succeeded),
        (JobStatus.Waiting, JobStatus.Failed),
        (JobStatus.Waiting, JobStatus.Cancelled),
    ];

    public static bool IsAllowed(JobStatus from, JobStatus to) => All.Contains((from, to));

    /// <summary>What a refused move says: "a gate does not move from X to Y".</summary>
    public static string Refusal(JobStatus from, JobStatus to) => $"a gate does not move from {from.ToWire()} to {to.ToWire()}";
}
