using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The statements of concurrency groups, alike for both dialects. A group is its name within a repository
/// (<c>@repository</c> is the repository's name as the runs carry it, <c>''</c> for runs without one); a run is held in it
/// while it is <c>waiting</c> with <c>waiting_behind</c> set.</summary>
internal static class ConcurrencyGroupSql
{
    private const string InGroup = "concurrency_group = @group AND coalesce(repository, '') = @repository";

    private const string Held = "status = 'waiting' AND waiting_behind IS NOT NULL";

    /// <summary>The run a new run of the group would wait behind: its running run (the oldest, when a cancel-in-progress
    /// run started beside one still stopping), or else its oldest held run that is not being cancelled. Not <c>@self</c>.</summary>
    public const string Ahead = $"""
        SELECT id, number FROM runs
        WHERE {InGroup} AND id <> @self
          AND (status = 'running' OR ({Held} AND cancel_requested_at IS NULL))
        ORDER BY CASE status WHEN 'running' THEN 0 ELSE 1 END, id
        LIMIT 1;
        """;

    public const string AnyRunning = $"SELECT id FROM runs WHERE {InGroup} AND status = 'running' LIMIT 1;";

    public const string OldestHeld = $"SELECT id, number FROM runs WHERE {InGroup} AND {Held} AND cancel_requested_at IS NULL ORDER BY id LIMIT 1;";

    // As MoveRun: a run that starts has nothing left to wait for.
    public const string StartHeld = $"""
        UPDATE runs SET status = 'running', waiting_behind = NULL, pending_reason = NULL, changed_at = @at
        WHERE id = @id AND {Held};
        """;

    public const string WaitBehind = $"UPDATE runs SET waiting_behind = @ahead, pending_reason = @reason WHERE {InGroup} AND {Held};";

    /// <summary>Approval, as a compare-and-set on a run that waits for approval (not held): to running, or to held.</summary>
    public const string Approve = """
        UPDATE runs SET status = @to, waiting_behind = @ahead, pending_reason = @reason, changed_at = @at
        WHERE id = @id AND status = 'waiting' AND waiting_behind IS NULL;
        """;

    /// <summary>An approved run held in its group stays 'waiting', which no trigger records as a change: this says it did,
    /// with why, so that statuses and live streams follow.</summary>
    public const string HeldChange = """
        INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at) VALUES (@id, NULL, 'waiting', NULL, @reason, @at);
        """;

    /// <summary>Groups that hold runs while none of theirs runs: the run ahead ended, and whoever ended it stopped before
    /// starting the next.</summary>
    public const string Stalled = $"""
        SELECT DISTINCT coalesce(h.repository, ''), h.concurrency_group FROM runs h
        WHERE h.status = 'waiting' AND h.waiting_behind IS NOT NULL AND h.cancel_requested_at IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM runs r
              WHERE r.concurrency_group = h.concurrency_group AND coalesce(r.repository, '') = coalesce(h.repository, '')
                AND r.status = 'running')
        LIMIT @limit;
        """;

    /// <summary>Running runs of a group, unchanged since <c>@before</c>, whose jobs all still wait: started, but nobody
    /// queued their first jobs.</summary>
    public const string Unadvanced = """
        SELECT r.id FROM runs r
        WHERE r.status = 'running' AND r.concurrency_group IS NOT NULL AND r.cancel_requested_at IS NULL AND r.changed_at < @before
          AND EXISTS (SELECT 1 FROM jobs j WHERE j.run_id = r.id)
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.run_id = r.id AND j.status <> 'waiting')
        ORDER BY r.id
        LIMIT @limit;
        """;

    public const string RunById = $"SELECT {RunColumns} FROM runs WHERE id = @id;";
}
