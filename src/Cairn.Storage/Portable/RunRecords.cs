using System.Data.Common;
using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>The reads and single-statement writes of runs, jobs, steps and logs that both dialects run alike, given
/// the dialect's statements, its row mapping and whom to tell of a change.</summary>
internal sealed class RunRecords(IStatementRunner database, RecordStatements sql, RecordRows rows, IStoreEvents events)
{
    public async Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        var runs = await database.QueryAsync(sql.RunById, c => c.Bind("@id", runId), RecordRows.ReadRun, cancellationToken);
        return runs.SingleOrDefault();
    }

    public async Task<RunState?> GetRunStateAsync(long runId, CancellationToken cancellationToken)
    {
        var states = await database.QueryAsync(
            PortableSql.RunStateById,
            c => c.Bind("@id", runId),
            row => new RunState(StatusNames.ParseRunStatus(row.GetString(0)), !row.IsDBNull(1), row.IsDBNull(2) ? null : row.GetString(2)),
            cancellationToken);
        return states.SingleOrDefault();
    }

    public async Task<IReadOnlyList<JobRecord>> GetJobsAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(sql.JobsOfRun, c => c.Bind("@run", runId), rows.ReadJob, cancellationToken);

    public async Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, CancellationToken cancellationToken)
    {
        var statuses = await database.QueryAsync(
            sql.JobStatusesOfRun,
            c => c.Bind("@run", runId),
            row => (Id: row.GetInt64(0), Status: StatusNames.ParseJobStatus(row.GetString(1))),
            cancellationToken);
        return statuses.ToDictionary(r => r.Id, r => r.Status);
    }

    /// <summary>Ids go in chunks of this many: well under what either database takes as parameters of one statement.</summary>
    private const int IdsPerStatement = 500;

    public async Task<IReadOnlyDictionary<long, JobStatus>> GetJobStatusesAsync(long runId, IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var statuses = new Dictionary<long, JobStatus>(jobIds.Count);
        foreach (var chunk in jobIds.Distinct().Chunk(IdsPerStatement))
        {
            var rows = await database.QueryAsync(
                PortableSql.JobStatusesOf(chunk.Length),
                command =>
                {
                    command.Bind("@run", runId);
                    PortableSql.BindJobIds(command, chunk);
                },
                row => (Id: row.GetInt64(0), Status: StatusNames.ParseJobStatus(row.GetString(1))),
                cancellationToken);
            foreach (var (id, status) in rows)
            {
                statuses[id] = status;
            }
        }

        return statuses;
    }

    /// <summary>Queues the jobs still waiting among <paramref name="jobIds"/> in one statement (per few hundred), with what
    /// <see cref="TryTransitionJobAsync"/> does on a move to queued done once: the feed's triggers record each job, and idle
    /// workers are woken.</summary>
    public async Task<IReadOnlyList<long>> QueueJobsAsync(long runId, IReadOnlyList<long> jobIds, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        ArgumentNullException.ThrowIfNull(transition);
        var queued = new List<long>(jobIds.Count);

        // The jobs' fair keys (FairOrder) count their places from the lowest id of them all, in every chunk alike.
        var lowest = jobIds.Count > 0 ? jobIds.Min() : 0;
        foreach (var chunk in jobIds.Distinct().Chunk(IdsPerStatement))
        {
            queued.AddRange(await database.WriteReturningAsync(
                PortableSql.QueueJobs(chunk.Length),
                command =>
                {
                    command.Bind("@run", runId).Bind("@at", RecordRows.ToMillis(transition.At)).Bind("@lowest", lowest);
                    PortableSql.BindJobIds(command, chunk);
                },
                row => row.GetInt64(0),
                cancellationToken));
        }

        if (queued.Count > 0)
        {
            events.StatusChanged(jobQueued: true);
        }

        return queued;
    }

    public async Task<JobRecord?> GetJobAsync(long jobId, CancellationToken cancellationToken)
    {
        var jobs = await database.QueryAsync(sql.JobById, c => c.Bind("@id", jobId), rows.ReadJob, cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<bool> TryTransitionJobAsync(long jobId, JobStatus from, JobStatus to, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (from == JobStatus.Running || to == JobStatus.Running)
        {
            throw new ArgumentException(
                "a job moves into or out of running only through its lease (TryLeaseAsync, CompleteAsync)",
                from == JobStatus.Running ? nameof(from) : nameof(to));
        }

        if (!JobStatusTransitions.IsAllowed(from, to))
        {
            throw new ArgumentException(JobStatusTransitions.Refusal(from, to), nameof(to));
        }

        var terminal = to.IsTerminal();
        var changed = await database.ExecuteAsync(
            terminal ? sql.EndJob : to == JobStatus.Queued ? sql.QueueJob : sql.MoveJob,
            command =>
            {
                command.Bind("@id", jobId).Bind("@from", from.ToWire()).Bind("@at", RecordRows.ToMillis(transition.At));
                if (to != JobStatus.Queued)
                {
                    command.Bind("@to", to.ToWire());
                }

                if (terminal)
                {
                    command
                        .Bind("@finished", to == JobStatus.Skipped ? null : RecordRows.ToMillis(transition.At))
                        .Bind("@class", transition.FailureClass?.ToWire())
                        .Bind("@detail", transition.Detail);
                }
            },
            cancellationToken);

        if (changed != 1)
        {
            return false;
        }

        events.StatusChanged(jobQueued: to == JobStatus.Queued);
        return true;
    }

    public async Task<bool> TryTransitionRunAsync(long runId, RunStatus from, RunStatus to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!RunStatusTransitions.IsAllowed(from, to))
        {
            throw new ArgumentException(RunStatusTransitions.Refusal(from, to), nameof(to));
        }

        var changed = await database.ExecuteAsync(
            sql.MoveRun,
            command => command
                .Bind("@id", runId)
                .Bind("@from", from.ToWire())
                .Bind("@to", to.ToWire())
                .Bind("@finished", to == RunStatus.Running ? null : RecordRows.ToMillis(at))
                .Bind("@at", RecordRows.ToMillis(at)),
            cancellationToken);
        if (changed != 1)
        {
            return false;
        }

        events.StatusChanged();
        return true;
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);

        var filters = new SqlFilters();
        if (query.Repository is { } repository)
        {
            filters.Add("repository = @repository", "@repository", repository);
        }

        if (query.Repositories is { } visible)
        {
            filters.AddIn("repository", visible);
        }

        if (query.Status is { } status)
        {
            filters.Add("status = @status", "@status", status.ToWire());
        }

        if (query.Branch is { } branch)
        {
            filters.Add("ref = @ref", "@ref", "refs/heads/" + branch);
        }

        if (query.ConcurrencyGroup is { } group)
        {
            filters.Add("concurrency_group = @group", "@group", group);
        }

        if (query.Event is { } eventName)
        {
            filters.Add("event = @event", "@event", eventName);
        }

        if (query.BeforeId is { } before)
        {
            filters.Add("id < @before", "@before", before);
        }

        return await database.QueryAsync(
            $"SELECT {RecordRows.RunColumns} FROM runs {filters.Where} ORDER BY id DESC LIMIT @limit;",
            command =>
            {
                filters.BindTo(command);
                command.Bind("@limit", query.Limit);
            },
            RecordRows.ReadRun,
            cancellationToken);
    }

    public async Task SaveStepAsync(StepRecord step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await database.ExecuteAsync(
            sql.UpsertStep,
            command => command
                .Bind("@job", step.JobId)
                .Bind("@idx", step.Index)
                .Bind("@name", step.Name)
                .Bind("@status", RecordRows.StepWire(step.Status))
                .Bind("@exit", step.ExitCode)
                .Bind("@started", RecordRows.ToMillis(step.StartedAt))
                .Bind("@finished", RecordRows.ToMillis(step.FinishedAt)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<StepRecord>> GetStepsAsync(long jobId, CancellationToken cancellationToken) =>
        await database.QueryAsync(sql.StepsOfJob, c => c.Bind("@job", jobId), RecordRows.ReadStep, cancellationToken);

    public async Task<IReadOnlyList<StoredLogLine>> ReadLogAsync(long jobId, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            sql.ReadLog,
            command => command.Bind("@job", jobId).Bind("@after", afterSequence).Bind("@limit", limit),
            RecordRows.ReadLogLine,
            cancellationToken);

    public async Task<IReadOnlyList<StoredLogLine>> ReadStepLogAsync(
        long jobId, int stepIndex, long afterSequence, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            sql.ReadStepLog,
            command => command.Bind("@job", jobId).Bind("@step", stepIndex).Bind("@after", afterSequence).Bind("@limit", limit),
            RecordRows.ReadLogLine,
            cancellationToken);

    public async Task<long> GetLastLogSequenceAsync(long jobId, CancellationToken cancellationToken)
    {
        var last = await database.QueryAsync(sql.LastLogSequence, c => c.Bind("@job", jobId), r => r.GetInt64(0), cancellationToken);
        return last.Count == 0 ? 0 : last[0];
    }
}
