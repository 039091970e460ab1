using System.Data.Common;
using Cairn.Core.Gates;
using Cairn.Core.Runs;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>Approval gates and the decisions on them (<see cref="IApprovalStore"/>), in SQL both dialects run as written.
/// A gate exists only while (and after) its job waited for it; the job's status stays the one truth of whether it is open.</summary>
internal sealed class GateRecords(IStatementRunner database, IStoreEvents events, TimeProvider time) : IApprovalStore
{
    private const string GateColumns = "gates.job_id, gates.run_id, gates.repository, gates.approvers, gates.min, gates.sha, gates.triggerer, gates.opened_at, gates.deadline";

    private const string ApprovalColumns = "id, run_id, job_id, person, channel, approved, sha, comment, at";

    // The compare-and-set of opening: the job still waits and has no gate yet. It keeps waiting.
    private const string MarkOpened = """
        UPDATE jobs SET pending_reason = @reason
        WHERE id = @id AND status = 'waiting' AND NOT EXISTS (SELECT 1 FROM gates WHERE gates.job_id = @id);
        """;

    private const string InsertGate = """
        INSERT INTO gates (job_id, run_id, repository, approvers, min, sha, triggerer, opened_at, deadline)
        VALUES (@id, @run, @repository, @approvers, @min, @sha, @triggerer, @opened, @deadline);
        """;

    private const string GateById = $"SELECT {GateColumns} FROM gates WHERE gates.job_id = @id;";

    private const string OpenGates = $"""
        SELECT {GateColumns} FROM gates JOIN jobs ON jobs.id = gates.job_id
        WHERE jobs.status = 'waiting'
        ORDER BY gates.opened_at, gates.job_id;
        """;

    private const string UpsertApproval = $"""
        INSERT INTO approvals (run_id, job_id, person, channel, approved, sha, comment, at)
        VALUES (@run, @job, @person, @channel, @approved, @sha, @comment, @at)
        ON CONFLICT (job_id, person, sha) DO UPDATE
            SET channel = excluded.channel, approved = excluded.approved, comment = excluded.comment, at = excluded.at
        RETURNING {ApprovalColumns};
        """;

    private const string ApprovalsOfRun = $"SELECT {ApprovalColumns} FROM approvals WHERE run_id = @run ORDER BY at, id;";

    // A gate's job stays 'waiting' when its gate opens or gains an approval, which no trigger records as a change: this
    // says it did, with the reason, so that commit statuses and live streams follow ("waiting for approval (1 of 2)").
    private const string WaitingChange = """
        INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
        SELECT run_id, id, 'waiting', NULL, @reason, @at FROM jobs WHERE id = @id;
        """;

    private const string SetReason = """
        UPDATE jobs SET pending_reason = @reason
        WHERE id = @id AND status = 'waiting' AND EXISTS (SELECT 1 FROM gates WHERE gates.job_id = @id);
        """;

    // The gate's job ends straight from waiting; its start is when the gate opened, so that it shows how long it waited.
    private const string EndGate = """
        UPDATE jobs SET status = @to, started_at = (SELECT gates.opened_at FROM gates WHERE gates.job_id = @id),
            finished_at = @at, failure_class = @class, failure_detail = @detail, changed_at = @at, pending_reason = NULL
        WHERE id = @id AND status = 'waiting' AND EXISTS (SELECT 1 FROM gates WHERE gates.job_id = @id);
        """;

    public async Task<bool> EndGateAsync(long jobId, JobStatus to, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (!GateStatusTransitions.IsAllowed(JobStatus.Waiting, to))
        {
            throw new ArgumentException(GateStatusTransitions.Refusal(JobStatus.Waiting, to), nameof(to));
        }

        var changed = await database.ExecuteAsync(
            EndGate,
            c => c
                .Bind("@id", jobId)
                .Bind("@to", to.ToWire())
                .Bind("@at", ToMillis(transition.At))
                .Bind("@class", transition.FailureClass?.ToWire())
                .Bind("@detail", transition.Detail),
            cancellationToken);
        if (changed != 1)
        {
            return false;
        }

        events.StatusChanged();
        return true;
    }

    public async Task<bool> OpenGateAsync(GateRecord gate, string pendingReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentException.ThrowIfNullOrEmpty(pendingReason);
        var opened = await database.InTransactionAsync(
            async tx =>
            {
                var marked = await tx.ExecuteAsync(
                    MarkOpened,
                    c => c.Bind("@id", gate.JobId).Bind("@reason", pendingReason),
                    cancellationToken);
                if (marked != 1)
                {
                    return false;
                }

                await tx.ExecuteAsync(
                    InsertGate,
                    c => c
                        .Bind("@id", gate.JobId)
                        .Bind("@run", gate.RunId)
                        .Bind("@repository", gate.Repository)
                        .Bind("@approvers", StorageJson.Write(gate.Approvers))
                        .Bind("@min", gate.Min)
                        .Bind("@sha", gate.Sha)
                        .Bind("@triggerer", gate.Triggerer)
                        .Bind("@opened", ToMillis(gate.OpenedAt))
                        .Bind("@deadline", ToMillis(gate.Deadline)),
                    cancellationToken);
                await tx.ExecuteAsync(
                    WaitingChange, c => c.Bind("@id", gate.JobId).Bind("@reason", pendingReason).Bind("@at", ToMillis(gate.OpenedAt)), cancellationToken);
                return true;
            },
            cancellationToken);
        if (opened)
        {
            events.StatusChanged();
        }

        return opened;
    }

    public async Task<GateRecord?> GetGateAsync(long jobId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(GateById, c => c.Bind("@id", jobId), ReadGate, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<GateRecord>> GetOpenGatesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(OpenGates, _ => { }, ReadGate, cancellationToken);

    public async Task<ApprovalRecord> AddApprovalAsync(NewApproval approval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approval);
        ArgumentException.ThrowIfNullOrEmpty(approval.Person);
        var written = await database.WriteReturningAsync(
            UpsertApproval,
            c => c
                .Bind("@run", approval.RunId)
                .Bind("@job", approval.JobId)
                .Bind("@person", approval.Person)
                .Bind("@channel", approval.Channel.ToWire())
                .Bind("@approved", approval.Approved)
                .Bind("@sha", approval.Sha ?? string.Empty)
                .Bind("@comment", approval.Comment)
                .Bind("@at", ToMillis(approval.At)),
            ReadApproval,
            cancellationToken);
        return written.Single();
    }

    public async Task<IReadOnlyList<ApprovalRecord>> GetApprovalsAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(ApprovalsOfRun, c => c.Bind("@run", runId), ReadApproval, cancellationToken);

    public async Task<bool> SetGateReasonAsync(long jobId, string pendingReason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pendingReason);
        var set = await database.InTransactionAsync(
            async tx =>
            {
                if (await tx.ExecuteAsync(SetReason, c => c.Bind("@id", jobId).Bind("@reason", pendingReason), cancellationToken) != 1)
                {
                    return false;
                }

                await tx.ExecuteAsync(
                    WaitingChange, c => c.Bind("@id", jobId).Bind("@reason", pendingReason).Bind("@at", ToMillis(time.GetUtcNow())), cancellationToken);
                return true;
            },
            cancellationToken);
        if (set)
        {
            events.StatusChanged();
        }

        return set;
    }

    private static GateRecord ReadGate(DbDataReader row) => new(
        JobId: row.GetInt64(0),
        RunId: row.GetInt64(1),
        Repository: row.GetString(2),
        Approvers: StorageJson.ReadNames(row.GetString(3)),
        Min: checked((int)row.GetInt64(4)),
        Sha: row.IsDBNull(5) ? null : row.GetString(5),
        Triggerer: row.IsDBNull(6) ? null : row.GetString(6),
        OpenedAt: FromMillis(row.GetInt64(7)),
        Deadline: row.IsDBNull(8) ? null : FromMillis(row.GetInt64(8)));

    private static ApprovalRecord ReadApproval(DbDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        JobId: row.GetInt64(2),
        Person: row.GetString(3),
        Channel: ApprovalChannelNames.TryParse(row.GetString(4), out var channel) ? channel : ApprovalChannel.Api,
        Approved: row.GetBoolean(5),
        Sha: row.GetString(6) is { Length: > 0 } sha ? sha : null,
        Comment: row.IsDBNull(7) ? null : row.GetString(7),
        At: FromMillis(row.GetInt64(8)));
}
