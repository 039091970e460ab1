using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Where a job's steps run, and how the place is cleaned up after.</summary>
public interface IWorkspaceProvider
{
    Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken);

    Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken);
}
