namespace Cairn.Core.Forges;

/// <summary>What started a run.</summary>
public enum TriggerKind
{
    Push,
    PullRequest,
    Schedule,
    Manual,
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
        _ => throw new InvalidOperationException(),
    };
}
