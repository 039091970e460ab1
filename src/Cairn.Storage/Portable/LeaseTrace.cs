using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>What a new lease carries for tracing, alike for both dialects: the run's trace context and when the job was
/// last queued (the feed's latest <c>queued</c> change of the job), so that the worker can draw the job's wait.</summary>
internal static class LeaseTrace
{
    private const string Lookup = """
        SELECT r.trace_parent,
               (SELECT max(c.at) FROM run_changes c WHERE c.run_id = r.id AND c.job_id = @job AND c.status = 'queued')
        FROM runs r WHERE r.id = @run;
        """;

    public static async Task<JobLease?> AddAsync(IStatementRunner database, JobLease? lease)
    {
        if (lease is null)
        {
            return null;
        }

        // The lease is taken: a cancellation now must not lose it, and this read is short.
        var found = await database.QueryAsync(
            Lookup,
            command => command.Bind("@run", lease.RunId).Bind("@job", lease.JobId),
            row => (TraceParent: row.IsDBNull(0) ? null : row.GetString(0), QueuedAt: row.IsDBNull(1) ? (DateTimeOffset?)null : RecordRows.FromMillis(row.GetInt64(1))),
            CancellationToken.None);
        return found is [var trace] ? lease with { TraceParent = trace.TraceParent, QueuedAt = trace.QueuedAt } : lease;
    }
}
