namespace Cairn.Core.Triggers;

/// <summary>What started a run.</summary>
public enum TriggerKind
{
    Push,
    PullRequest,
    Schedule,
    Manual,

    /// <summary>A work item of an issue tracker (Plane) that the pipeline's <c>on.plane</c> matches.</summary>
    Tracker,

    /// <summary>A review submitted on a pull request (<c>on.pull_request_review</c>).</summary>
    PullRequestReview,
}

/// <summary>A trigger, whatever its source. Its data reaches scripts only as CAIRN_* environment variables.</summary>
/// <param name="Ref">The full ref, e.g. <c>refs/heads/main</c> or <c>refs/tags/v1.0</c>.</param>
/// <param name="Inputs">Manual inputs given; declared defaults are filled in by the planner.</param>
public sealed record TriggerEvent(
    TriggerKind Kind,
    string? Repository,
    string? Ref,
    string? Sha,
    IReadOnlyDictionary<string, string> Inputs,
    string? IdempotencyKey = null)
{
    /// <summary>The commit the branch pointed at before a push (null when unknown or for a new branch): what a
    /// <c>paths:</c> filter compares against.</summary>
    public string? Before { get; init; }

    /// <summary>The pull request, for <see cref="TriggerKind.PullRequest"/>.</summary>
    public PullRequestInfo? PullRequest { get; init; }

    /// <summary>Who caused the event (the forge's login), when known.</summary>
    public string? Sender { get; init; }

    /// <summary>The tracker's work item, for <see cref="TriggerKind.Tracker"/>: what <c>trigger.*</c> inputs read.</summary>
    public WorkItemInfo? WorkItem { get; init; }

    /// <summary>The review, for <see cref="TriggerKind.PullRequestReview"/> (with <see cref="PullRequest"/> set too).</summary>
    public ReviewInfo? Review { get; init; }

    /// <summary>A pull request whose head lives in another repository: such runs get no secrets unless allowed.</summary>
    public bool IsFork => PullRequest?.IsFork == true;

    public static TriggerEvent Manual(string? repository, string? gitRef, string? sha, IReadOnlyDictionary<string, string> inputs) =>
        new(TriggerKind.Manual, repository, gitRef, sha, inputs);

    /// <summary>The branch name when <see cref="Ref"/> is a branch, else null.</summary>
    public string? Branch => BranchOf(Ref);

    /// <summary>The tag name when <see cref="Ref"/> is a tag, else null.</summary>
    public string? Tag => TagOf(Ref);

    /// <summary>The branch a full ref names (<c>refs/heads/x</c> → <c>x</c>), else null.</summary>
    public static string? BranchOf(string? gitRef) => After(gitRef, "refs/heads/");

    /// <summary>The tag a full ref names (<c>refs/tags/v1</c> → <c>v1</c>), else null.</summary>
    public static string? TagOf(string? gitRef) => After(gitRef, "refs/tags/");

    private static string? After(string? gitRef, string prefix) =>
        gitRef is { } r && r.StartsWith(prefix, StringComparison.Ordinal) ? r[prefix.Length..] : null;

    public string EventName => Kind switch
    {
        TriggerKind.Push => "push",
        TriggerKind.PullRequest => "pull_request",
        TriggerKind.Schedule => "schedule",
        TriggerKind.Manual => "manual",
        TriggerKind.Tracker => "plane",
        TriggerKind.PullRequestReview => "pull_request_review",
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>A pull (merge) request as a run needs it. <see cref="TriggerEvent.Ref"/> is the head ref
/// (<c>refs/pull/7/head</c> or the source branch's ref) and <see cref="TriggerEvent.Sha"/> the head commit.</summary>
/// <param name="Action">What happened: <c>opened</c>, <c>synchronize</c> (new commits) or <c>reopened</c>.</param>
/// <param name="BaseBranch">The branch it wants to merge into: what <c>on.pull_request.branches</c> matches.</param>
/// <param name="HeadBranch">The branch it comes from (in <see cref="HeadRepository"/>).</param>
/// <param name="HeadRepository">The full name of the repository the head commit lives in.</param>
/// <param name="BaseSha">The base branch's commit, when the forge says: what <c>paths:</c> compares against.</param>
/// <param name="Author">The login of whoever opened it, when the forge says.</param>
public sealed record PullRequestInfo(
    int Number,
    string Action,
    string BaseBranch,
    string HeadBranch,
    string? HeadRepository,
    bool IsFork,
    string? BaseSha = null,
    string? Title = null,
    string? Author = null);

/// <summary>A work item of an issue tracker as a run needs it: what <c>trigger.title</c>, <c>trigger.description</c>,
/// <c>trigger.id</c> and <c>trigger.url</c> read, and where Cairn comments back.</summary>
/// <param name="Tracker">The connection's id (<c>cairn tracker add</c>), whose API key comments back.</param>
/// <param name="Event">The tracker's event in its v2 spelling: <c>workitem.created</c>, <c>workitem.updated</c>.</param>
/// <param name="Id">The work item's id (a UUID on Plane).</param>
/// <param name="Key">The work item's human key when known (<c>WEB-12</c>), else null.</param>
/// <param name="Labels">The names of its labels (resolved from ids through the tracker's API when the webhook gives ids).</param>
/// <param name="Actor">The tracker's id of whoever caused the event, when known.</param>
public sealed record WorkItemInfo(
    long Tracker,
    string Event,
    string Id,
    string? Key,
    string Title,
    string? Description,
    string? Url,
    IReadOnlyList<string> Labels,
    string? Actor = null);

/// <summary>A review of a pull request. <paramref name="State"/> is <c>approved</c>, <c>changes_requested</c> or
/// <c>commented</c>; <paramref name="Sha"/> the head commit the reviewer saw (an approval binds to it).</summary>
public sealed record ReviewInfo(string State, string Reviewer, string? Sha, string? Body = null);
