namespace Cairn.Core.Publishing;

/// <summary>Where a pull request goes: the repository at its forge's API, with the server's token for it.</summary>
public sealed record PullRequestTarget(string Repository, string ApiUrl, string? Token)
{
    public override string ToString() => $"PullRequestTarget {{ Repository = {Repository}, ApiUrl = {ApiUrl}, Token = *** }}";
}

/// <param name="Head">The pushed branch (<c>cairn/12-implement</c>).</param>
/// <param name="Base">The branch it asks to merge into. Cairn only asks: it never merges.</param>
public sealed record PullRequestRequest(string Head, string Base, string Title, string Body, bool Draft);

/// <summary>How opening (or finding and updating) a pull request ended.</summary>
public abstract record PullRequestResult
{
    private PullRequestResult()
    {
    }

    /// <param name="Created">False when an open pull request of the branch was found and updated.</param>
    public sealed record Opened(int Number, string Url, bool Created) : PullRequestResult;

    /// <summary>Worth trying again: a network failure, 429 or 5xx.</summary>
    public sealed record Retry(string Reason) : PullRequestResult;

    /// <summary>The forge refused (bad token, no such branch, ...): said as the forge said it.</summary>
    public sealed record Rejected(string Reason) : PullRequestResult;
}

/// <summary>A forge's pull request API (GitHub, GitLab merge requests, Gitea, Bitbucket). Opens a draft or finds the
/// branch's open one and updates its title and body. There is no merge here and there never is.</summary>
public interface IPullRequestForge
{
    Task<PullRequestResult> OpenOrUpdateAsync(PullRequestTarget target, PullRequestRequest request, CancellationToken cancellationToken);
}
