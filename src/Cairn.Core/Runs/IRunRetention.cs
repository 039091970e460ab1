namespace Cairn.Core.Runs;

/// <summary>Removing what is old enough to forget.</summary>
public interface IRunRetention
{
    /// <summary>Removes, oldest first, at most <paramref name="limit"/> runs that ended (succeeded, failed or cancelled)
    /// before <paramref name="before"/>, with their jobs, steps, log lines and changes, in one transaction; answers how
    /// many runs went. A run still running is never removed. The newest run and the change feed's newest change are
    /// kept, so that no id of a run, a job or a change is ever given again.</summary>
    Task<int> DeleteRunsFinishedBeforeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
