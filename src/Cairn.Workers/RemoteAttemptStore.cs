using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>What a job attempt reads and writes, over HTTP: the run and the log's start come with the grant; log lines
/// and steps go into the lease's <see cref="LogSpool"/> and return at once, so a server that is away never blocks a step.
/// Why the job waits on its executor goes to the server directly (the reporter calls off the executor's path, and sends
/// only the latest reason once a call has ended); without <paramref name="connection"/> it is not sent.</summary>
public sealed class RemoteAttemptStore(RemoteLeases leases, WorkerConnection? connection = null) : IJobAttemptStore
{
    /// <summary>How long a waiting reason is retried while the server is away before it is given up (the next one is sent).</summary>
    private static readonly TimeSpan GiveUpWaiting = TimeSpan.FromMinutes(2);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        Task.FromResult(leases.ForRun(runId)?.Run);

    public Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        leases.ForJobOrThrow(step.JobId).Spool.Add(
            new SpoolItem(null, new StepReport(step.Index, step.Name, step.Status, step.ExitCode, step.StartedAt, step.FinishedAt)));
        return Task.CompletedTask;
    }

    public Task AppendLogAsync(long jobId, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            return Task.CompletedTask;
        }

        var spool = leases.ForJobOrThrow(jobId).Spool;

        // A batch is numbered by its first line; the reporter numbers its lines one by one, but a gap starts a new batch.
        var start = 0;
        for (var i = 1; i <= lines.Count; i++)
        {
            if (i == lines.Count || lines[i].Sequence != lines[i - 1].Sequence + 1)
            {
                var wire = new WireLogLine[i - start];
                for (var j = start; j < i; j++)
                {
                    wire[j - start] = new WireLogLine(lines[j].StepIndex, lines[j].Stream, lines[j].Timestamp, lines[j].Text);
                }

                spool.Add(new SpoolItem(new LogBatch(lines[start].Sequence, wire), null));
                start = i;
            }
        }

        return Task.CompletedTask;
    }

    public Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken) =>
        Task.FromResult(leases.ForJobOrThrow(jobId).Grant.LastSequence);

    public async Task<bool> SetPendingReasonAsync(long jobId, Guid leaseId, string? reason, CancellationToken cancellationToken)
    {
        if (connection is null || leases.ForJob(jobId) is not { Lost: false } lease || lease.Grant.LeaseId != leaseId)
        {
            return false;
        }

        try
        {
            await connection.CallAsync<object>(
                $"waiting reason of job {jobId}",
                HttpMethod.Post,
                WorkerPaths.Waiting(leaseId),
                WorkerConnection.Json(new WaitingReport(reason), WorkerProtocolJson.Default.WaitingReport),
                null,
                TimeSpan.Zero,
                GiveUpWaiting,
                cancellationToken);
            return true;
        }
        catch (LeaseLostException)
        {
            return false;
        }
    }
}
