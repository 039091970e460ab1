using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

public abstract partial class CairnStore
{
    private readonly RunOverviewRecords _overview;

    public Task<IReadOnlyList<RunRecord>> ListLatestRunsAsync(CancellationToken cancellationToken) =>
        _overview.ListLatestRunsAsync(cancellationToken);

    public Task<IReadOnlyList<StepRecord>> GetStepsOfRunAsync(long runId, CancellationToken cancellationToken) =>
        _overview.GetStepsOfRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<JobAttemptRecord>> GetAttemptsOfRunAsync(long runId, CancellationToken cancellationToken) =>
        _overview.GetAttemptsOfRunAsync(runId, cancellationToken);
}
