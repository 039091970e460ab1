using Cairn.Core.Runs;

namespace Cairn.Server.Dashboard.Graph;

/// <summary>A job as the graph needs it: its name (a matrix leg's name says its values), the pipeline job it expands
/// from, the names it needs and where it stands.</summary>
public sealed record GraphJob(long Id, string Name, string Key, IReadOnlyList<string> Needs, JobStatus Status)
{
    public static GraphJob From(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new GraphJob(job.Id, job.Name, job.Key, job.Needs, job.Status);
    }
}
