using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>What a job attempt reads and writes, over HTTP: the run and the log's start come with the grant; log lines
/// and steps go into the lease's <see cref="LogSpool"/> and return at once, so a server that is away never blocks a step.</summary>
public sealed class RemoteAttemptStore(RemoteLeases leases) : IJobAttemptStore
{
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
}
