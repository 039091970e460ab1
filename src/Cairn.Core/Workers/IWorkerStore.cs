namespace Cairn.Core.Workers;

/// <summary>The workers an administrator made, and what the server last heard of each.</summary>
public interface IWorkerStore
{
    /// <summary>Stores a new worker; null when one of that name exists (names are compared without regard to case).</summary>
    Task<WorkerRecord?> AddWorkerAsync(NewWorker worker, CancellationToken cancellationToken);

    /// <summary>Every worker, by name, each with the jobs running now under its leases.</summary>
    Task<IReadOnlyList<WorkerRecord>> ListWorkersAsync(CancellationToken cancellationToken);

    Task<WorkerRecord?> GetWorkerAsync(string name, CancellationToken cancellationToken);

    /// <summary>The worker whose token has this id; null when none (a removed worker's token finds nothing).</summary>
    Task<WorkerRecord?> GetWorkerByTokenIdAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>Pauses (no new jobs) or resumes a worker; false when there is none of that name.</summary>
    Task<bool> SetWorkerPausedAsync(string name, bool paused, CancellationToken cancellationToken);

    /// <summary>Removes a worker: its token stops working at once. Its running jobs' leases are left to expire and be
    /// reaped. False when there is none of that name.</summary>
    Task<bool> RemoveWorkerAsync(string name, CancellationToken cancellationToken);

    /// <summary>Notes a call from the worker: when, which version, from where.</summary>
    Task TouchWorkerAsync(long id, DateTimeOffset at, string? version, string? address, CancellationToken cancellationToken);
}
