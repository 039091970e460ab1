using Cairn.Core.Publishing;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>The pull requests publish jobs opened, and their checks as the forges' webhooks report them.</summary>
public abstract partial class CairnStore
{
    private readonly PullRequestRecords _pullRequests;

    public Task RecordPullRequestAsync(PullRequestRecord record, CancellationToken cancellationToken) =>
        _pullRequests.RecordPullRequestAsync(record, cancellationToken);

    public Task<IReadOnlyList<PullRequestRecord>> GetPullRequestsAsync(long runId, CancellationToken cancellationToken) =>
        _pullRequests.GetPullRequestsAsync(runId, cancellationToken);

    public Task<int> SetChecksAsync(
        string repository, string headSha, string checks, string? detail, DateTimeOffset at, CancellationToken cancellationToken) =>
        _pullRequests.SetChecksAsync(repository, headSha, checks, detail, at, cancellationToken);
}
