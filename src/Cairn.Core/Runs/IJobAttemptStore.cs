namespace Cairn.Core.Runs;

/// <summary>What one job attempt reads and writes while it runs: its run, where its log stands, its log lines and its
/// steps. The store is one; a worker that reaches the server over HTTP is another, and holds nothing else of the store.</summary>
public interface IJobAttemptStore
{
    Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces one step's result.</summary>
    Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken);

    /// <summary>Appends lines whose sequence numbers the caller assigned (increasing, from 1 per job).</summary>
    Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken);

    /// <summary>The highest sequence number in the job's log, 0 when it has none.</summary>
    Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Why the running job waits on its executor (null: it is under way), written only while
    /// <paramref name="leaseId"/> still holds the job; false when it no longer does.</summary>
    Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken);

    /// <summary>Records what an agent job's attempt says of its agent (<see cref="Execution.IJobReporter.Agent"/>), only
    /// while <paramref name="leaseId"/> still holds the job; false when it no longer does. Agent jobs run only on workers
    /// that hold the store (the server's own and <c>cairn run</c>).</summary>
    Task<bool> RecordAgentAsync(long jobId, Guid leaseId, int attempt, Agents.AgentReport report, CancellationToken cancellationToken) =>
        throw new NotSupportedException("agent jobs run only on the server's own workers");

    /// <summary>An earlier attempt's agent record (to resume its session), or null.</summary>
    Task<Agents.AgentSessionRecord?> GetAgentSessionAsync(long jobId, int attempt, CancellationToken cancellationToken) =>
        throw new NotSupportedException("agent jobs run only on the server's own workers");
}
