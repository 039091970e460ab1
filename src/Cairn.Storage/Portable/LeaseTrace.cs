using Cairn.Core.Runs;

namespace Cairn.Storage.Portable;

/// <summary>What a new lease carries for tracing, alike for both dialects: the run's trace context, so that the worker
/// draws the job's spans in the run's trace. (When the job was queued comes from the claim itself.)</summary>
internal static class LeaseTrace
{
    private const string Lookup = "SELECT trace_parent FROM runs WHERE id = @run;";

    public static async Task<JobLease?> AddAsync(IStatementRunner database, JobLease? lease)
    {
        if (lease is null)
        {
            return null;
        }

        // The lease is taken: a cancellation now must not lose it, and this read is short.
        var found = await database.QueryAsync(
            Lookup,
            command => command.Bind("@run", lease.RunId),
            row => row.IsDBNull(0) ? null : row.GetString(0),
            CancellationToken.None);
        return found is [{ } trace] ? lease with { TraceParent = trace } : lease;
    }
}
