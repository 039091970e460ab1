using System.Collections.Concurrent;

namespace Cairn.Workers;

/// <summary>The leases this worker process holds now, by job id: what the queue, the attempt store, the secret source
/// and the workspaces of one process share.</summary>
public sealed class RemoteLeases
{
    private readonly ConcurrentDictionary<long, RemoteLease> _byJob = new();

    public int Count => _byJob.Count;

    public void Add(RemoteLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _byJob[lease.JobId] = lease;
    }

    public RemoteLease? ForJob(long jobId) => _byJob.GetValueOrDefault(jobId);

    /// <summary>A lease of one of the run's jobs (any: what they know of the run is the same).</summary>
    public RemoteLease? ForRun(long runId) => _byJob.Values.FirstOrDefault(l => l.RunId == runId);

    /// <summary>Every lease of the run's jobs this process holds.</summary>
    public IEnumerable<RemoteLease> OfRun(long runId) => _byJob.Values.Where(l => l.RunId == runId);

    public RemoteLease ForJobOrThrow(long jobId) =>
        ForJob(jobId) ?? throw new InvalidOperationException($"this worker holds no lease of job {jobId}");

    public RemoteLease ForRunOrThrow(long runId) =>
        ForRun(runId) ?? throw new InvalidOperationException($"this worker holds no lease of run {runId}");

    public bool Remove(long jobId, out RemoteLease? lease) => _byJob.TryRemove(jobId, out lease);
}
