namespace Cairn.Core.Artifacts;

/// <summary>When a job's artifacts are kept: <c>on_success</c> (the default), <c>on_failure</c> or <c>always</c>.</summary>
public enum ArtifactWhen
{
    OnSuccess,
    OnFailure,
    Always,
}

/// <summary>The wire names of <see cref="ArtifactWhen"/>, as written in <c>.cairn.yml</c> and stored with a job.</summary>
public static class ArtifactWhenNames
{
    public static string ToWire(this ArtifactWhen when) => when switch
    {
        ArtifactWhen.OnFailure => "on_failure",
        ArtifactWhen.Always => "always",
        _ => "on_success",
    };

    public static bool TryParse(string? text, out ArtifactWhen when)
    {
        switch (text)
        {
            case "on_success":
                when = ArtifactWhen.OnSuccess;
                return true;
            case "on_failure":
                when = ArtifactWhen.OnFailure;
                return true;
            case "always":
                when = ArtifactWhen.Always;
                return true;
            default:
                when = ArtifactWhen.OnSuccess;
                return false;
        }
    }

    /// <summary>The names in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } = ["on_success", "on_failure", "always"];
}

/// <summary>What a job keeps of its workspace when its steps end.</summary>
/// <param name="Paths">Globs relative to the workspace (<see cref="Pipelines.Glob"/>): never absolute, never with <c>..</c>.</param>
/// <param name="ExpireIn">How long they are kept; null: the server's default.</param>
public sealed record ArtifactRule(IReadOnlyList<string> Paths, ArtifactWhen When, TimeSpan? ExpireIn);

/// <summary>One cache of a job.</summary>
/// <param name="Key">The key as written: may hold <c>${{ }}</c> (matrix, env, inputs and <c>hashFiles(…)</c>), expanded on
/// the worker once the workspace is there.</param>
/// <param name="Paths">Folders to keep: relative to the workspace, or under the steps' home as <c>~/…</c>. Never absolute,
/// never with <c>..</c>.</param>
/// <param name="RestoreKeys">Prefixes tried in order when <paramref name="Key"/> misses; written like the key.</param>
public sealed record CacheRule(string Key, IReadOnlyList<string> Paths, IReadOnlyList<string> RestoreKeys);

/// <summary>What a job brings in before its first step and keeps after its last, and where it keeps it.</summary>
/// <param name="Stash">Where artifacts and caches are kept, bound to this attempt.</param>
/// <param name="Needs">The names of the jobs this one needs, as written (a matrix job's name stands for all its
/// expansions): their artifacts are extracted into the workspace before the first step, in this order.</param>
/// <param name="Artifacts">What it keeps; null: nothing.</param>
public sealed record JobFiles(IJobStash Stash, IReadOnlyList<string> Needs, ArtifactRule? Artifacts, IReadOnlyList<CacheRule> Caches)
{
    /// <summary>The needed jobs' sets, when whoever made these files already listed them (so they are not listed twice);
    /// null: the phase that restores them lists them.</summary>
    public IReadOnlyList<ArtifactSet>? Needed { get; init; }

    /// <summary>True when there is nothing to bring in or keep.</summary>
    public bool IsEmpty => Needs.Count == 0 && Artifacts is null && Caches.Count == 0;
}
