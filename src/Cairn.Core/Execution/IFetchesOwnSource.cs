namespace Cairn.Core.Execution;

/// <summary>An executor whose jobs run away from this host (a pod) and bring the run's commit in themselves from
/// <see cref="JobSpec.Source"/>. The worker prepares no local workspace for such a job: the job's workspace is
/// <see cref="WorkspacePath"/> inside its own environment, and <c>CAIRN_WORKSPACE</c> says so.</summary>
public interface IFetchesOwnSource
{
    /// <summary>Where the job's steps find the workspace, inside the job's environment (<c>/workspace</c>).</summary>
    string WorkspacePath { get; }
}
