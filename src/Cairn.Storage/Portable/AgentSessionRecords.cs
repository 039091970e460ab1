using System.Data.Common;
using Cairn.Core.Agents;

namespace Cairn.Storage.Portable;

/// <summary>The agent records of <see cref="IAgentSessionStore"/>, and the giving back of a leased job that may not start
/// yet, in SQL both dialects run as written. Costs are kept as integer micro-dollars, so sums are exact.</summary>
internal sealed class AgentSessionRecords(IStatementRunner database, Func<Guid, object> leaseIdValue, IStoreEvents events)
{
    private const decimal MicrosPerDollar = 1_000_000m;

    private const string Columns = """
        run_id, job_id, attempt, repository, cli, model, session_id, turns, input_tokens, output_tokens, cost_micros, result,
        branch, head, transcript, verify_failure, ended, updated_at
        """;

    private const string Values = """
        @cli, @model, @session, @turns, @input, @output, @cost, @result, @branch, @head, @transcript, @verify, @ended, @at
        """;

    private const string OnConflict = """
        ON CONFLICT (job_id, attempt) DO UPDATE SET
            cli = excluded.cli, model = excluded.model, session_id = excluded.session_id, turns = excluded.turns,
            input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost_micros = excluded.cost_micros,
            result = excluded.result, branch = excluded.branch, head = excluded.head, transcript = excluded.transcript,
            verify_failure = excluded.verify_failure, ended = excluded.ended, updated_at = excluded.updated_at;
        """;

    private const string Record = $"""
        INSERT INTO agent_sessions ({Columns})
        SELECT j.run_id, j.id, @attempt, COALESCE(r.repository, ''), {Values}
        FROM jobs AS j JOIN runs AS r ON r.id = j.run_id
        WHERE j.id = @job
        {OnConflict}
        """;

    // Compared on the lease: a holder whose lease has passed on writes nothing.
    private const string RecordUnderLease = $"""
        INSERT INTO agent_sessions ({Columns})
        SELECT j.run_id, j.id, @attempt, COALESCE(r.repository, ''), {Values}
        FROM jobs AS j JOIN runs AS r ON r.id = j.run_id
        WHERE j.id = @job AND j.lease_id = @lease AND j.status = 'running'
        {OnConflict}
        """;

    private const string One = $"SELECT {Columns} FROM agent_sessions WHERE job_id = @job AND attempt = @attempt;";

    private const string OfRun = $"SELECT {Columns} FROM agent_sessions WHERE run_id = @run ORDER BY job_id, attempt;";

    private const string Spend = """
        SELECT COALESCE(SUM(cost_micros), 0), COALESCE(SUM(COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0)), 0)
        FROM agent_sessions WHERE repository = @repository AND updated_at >= @since;
        """;

    // The attempt is given back (it never started), so the next lease counts the same attempt again; its place in the
    // queue is the time it may start.
    private const string Defer = """
        UPDATE jobs
        SET status = 'queued', attempt = attempt - 1, retry_at = @until, fair_key = @until, pending_reason = @reason, started_at = NULL,
            changed_at = @now, lease_id = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_id = @lease AND status = 'running';
        """;

    public async Task RecordAsync(long jobId, int attempt, AgentReport report, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(Record, c => BindReport(c.Bind("@job", jobId).Bind("@attempt", attempt), report, at), cancellationToken);

    public async Task<bool> RecordUnderLeaseAsync(
        long jobId, Guid leaseId, int attempt, AgentReport report, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            RecordUnderLease,
            c => BindReport(c.Bind("@job", jobId).Bind("@attempt", attempt).Bind("@lease", leaseIdValue(leaseId)), report, at),
            cancellationToken) > 0;

    public async Task<AgentSessionRecord?> GetAsync(long jobId, int attempt, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync(One, c => c.Bind("@job", jobId).Bind("@attempt", attempt), Read, cancellationToken);
        return found is [var one, ..] ? one : null;
    }

    public async Task<IReadOnlyList<AgentSessionRecord>> OfRunAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(OfRun, c => c.Bind("@run", runId), Read, cancellationToken);

    public async Task<AgentSpend> SpendAsync(string repository, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var found = await database.QueryAsync(
            Spend,
            c => c.Bind("@repository", repository).Bind("@since", RecordRows.ToMillis(since)),
            row => new AgentSpend(Convert.ToInt64(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) / MicrosPerDollar,
                Convert.ToInt64(row.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken);
        return found is [var spend, ..] ? spend : new AgentSpend(0, 0);
    }

    public async Task<bool> DeferAsync(Cairn.Core.Runs.JobLease lease, DateTimeOffset until, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(reason);
        var moved = await database.ExecuteAsync(
            Defer,
            c => c.Bind("@id", lease.JobId).Bind("@lease", leaseIdValue(lease.LeaseId)).Bind("@until", RecordRows.ToMillis(until))
                .Bind("@reason", reason).Bind("@now", RecordRows.ToMillis(now)),
            cancellationToken) > 0;
        if (moved)
        {
            events.StatusChanged(jobQueued: true);
        }

        return moved;
    }

    private static DbCommand BindReport(DbCommand command, AgentReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        return command
            .Bind("@cli", report.Cli.ToWire())
            .Bind("@model", report.Model)
            .Bind("@session", report.SessionId)
            .Bind("@turns", (long?)report.Usage.Turns)
            .Bind("@input", report.Usage.InputTokens)
            .Bind("@output", report.Usage.OutputTokens)
            .Bind("@cost", report.Usage.CostUsd is { } cost ? (long)decimal.Round(cost * MicrosPerDollar) : null)
            .Bind("@result", report.Result)
            .Bind("@branch", report.Branch)
            .Bind("@head", report.Head)
            .Bind("@transcript", report.Transcript)
            .Bind("@verify", report.VerifyFailure)
            .Bind("@ended", report.Ended ? 1L : 0L)
            .Bind("@at", RecordRows.ToMillis(at));
    }

    private static AgentSessionRecord Read(DbDataReader row)
    {
        long? Long(int i) => row.IsDBNull(i) ? null : Convert.ToInt64(row.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        string? Text(int i) => row.IsDBNull(i) ? null : row.GetString(i);
        var cli = AgentCliNames.TryParse(row.GetString(4), out var known) ? known : AgentCli.Claude;
        var usage = new AgentUsage((int?)Long(7), Long(8), Long(9), Long(10) is { } micros ? micros / MicrosPerDollar : null);
        var report = new AgentReport(cli, Text(5), Text(6), usage, Text(11), row.GetString(12), Text(13), Text(14), Long(16) == 1)
        {
            VerifyFailure = Text(15),
        };
        return new AgentSessionRecord(
            Long(0)!.Value, Long(1)!.Value, (int)Long(2)!.Value, row.GetString(3), report, RecordRows.FromMillis(Long(17)!.Value));
    }
}
