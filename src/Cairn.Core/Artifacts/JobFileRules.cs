using Cairn.Core.Planning;

namespace Cairn.Core.Artifacts;

/// <summary>Between a job's rules and how its stored definition carries them (<see cref="ArtifactsJson"/>,
/// <see cref="CacheJson"/>).</summary>
public static class JobFileRules
{
    /// <summary>The rule a stored <c>artifacts:</c> stands for.</summary>
    /// <exception cref="FormatException"><see cref="ArtifactsJson.When"/> is no name this version knows.</exception>
    public static ArtifactRule ToRule(this ArtifactsJson json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!ArtifactWhenNames.TryParse(json.When, out var when))
        {
            throw new FormatException($"artifacts' when '{json.When}' is not one of {string.Join(", ", ArtifactWhenNames.All)}");
        }

        return new ArtifactRule(json.Paths, when, json.ExpireInMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
    }

    /// <summary>The rule a stored cache stands for; its key and restore keys still hold their <c>${{ }}</c>.</summary>
    public static CacheRule ToRule(this CacheJson json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new CacheRule(json.Key, json.Paths, json.RestoreKeys);
    }

    /// <summary>How a job's definition stores its <c>artifacts:</c>.</summary>
    public static ArtifactsJson ToJson(this ArtifactRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new ArtifactsJson(rule.Paths, rule.When.ToWire(), rule.ExpireIn is { } expireIn ? (long)expireIn.TotalMilliseconds : null);
    }

    /// <summary>How a job's definition stores one of its caches, key and restore keys as written.</summary>
    public static CacheJson ToJson(this CacheRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new CacheJson(rule.Key, rule.Paths, rule.RestoreKeys);
    }
}
