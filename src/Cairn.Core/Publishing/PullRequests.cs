namespace Cairn.Core.Publishing;

/// <summary>The pull request a run's <c>publish</c> job opened or updated, and the state of its checks as the forge's
/// webhooks report them (<c>PR #12: checks passing</c>).</summary>
/// <param name="Checks">pending, passing or failing; null until a status or check arrives.</param>
public sealed record PullRequestRecord(
    long RunId,
    long JobId,
    string Repository,
    string Branch,
    int Number,
    string Url,
    string HeadSha,
    bool Draft,
    string? Checks,
    string? ChecksDetail,
    DateTimeOffset UpdatedAt)
{
    public string Describe() => Checks is null ? $"PR #{Number}" : $"PR #{Number}: checks {Checks}";
}

public interface IPullRequestStore
{
    /// <summary>Inserts or replaces the run's record for (run, job).</summary>
    Task RecordPullRequestAsync(PullRequestRecord record, CancellationToken cancellationToken);

    Task<IReadOnlyList<PullRequestRecord>> GetPullRequestsAsync(long runId, CancellationToken cancellationToken);

    /// <summary>Sets the checks of every record of the repository whose head is <paramref name="headSha"/>; how many.</summary>
    Task<int> SetChecksAsync(string repository, string headSha, string checks, string? detail, DateTimeOffset at, CancellationToken cancellationToken);
}
