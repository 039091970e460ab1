using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>What a job's status functions see: success() means every need succeeded; failure() that something
/// upstream failed (even if the failure only skipped the needs in between); cancelled() that something upstream was cancelled.</summary>
internal sealed record JobStatusContext(bool AllNeedsSucceeded, bool UpstreamFailed, bool UpstreamCancelled)
{
    public static JobStatusContext For(IReadOnlyList<JobRecord> needs, IReadOnlyDictionary<string, JobRecord> jobs)
    {
        var failed = false;
        var cancelled = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<JobRecord>(needs);
        while (pending.TryPop(out var job))
        {
            if (!seen.Add(job.Name))
            {
                continue;
            }

            failed |= job.Status == JobStatus.Failed;
            cancelled |= job.Status == JobStatus.Cancelled;
            foreach (var need in job.Needs)
            {
                pending.Push(jobs[need]);
            }
        }

        return new JobStatusContext(needs.All(n => n.Status == JobStatus.Succeeded), failed, cancelled);
    }

    public StatusContext ToStatusContext() => new(UpstreamFailed, UpstreamCancelled) { Success = AllNeedsSucceeded };
}
