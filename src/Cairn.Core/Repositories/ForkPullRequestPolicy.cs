namespace Cairn.Core.Repositories;

/// <summary>What a repository does with a pull request whose head lives in a fork: code anyone may have written.</summary>
public enum ForkPullRequestPolicy
{
    /// <summary>Its run waits until a maintainer approves it (the default).</summary>
    Approve,

    /// <summary>Its run starts at once, as any other (without secrets unless the repository allows them).</summary>
    Run,

    /// <summary>No run is made.</summary>
    Ignore,
}

/// <summary>The wire names of <see cref="ForkPullRequestPolicy"/>, as stored, sent as JSON and given to the CLI.</summary>
public static class ForkPullRequestPolicies
{
    /// <summary>Every wire name, in the order a person is told them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["approve", "run", "ignore"];

    public static string ToWire(this ForkPullRequestPolicy policy) => policy switch
    {
        ForkPullRequestPolicy.Approve => "approve",
        ForkPullRequestPolicy.Run => "run",
        ForkPullRequestPolicy.Ignore => "ignore",
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };

    public static bool TryParse(string? value, out ForkPullRequestPolicy policy)
    {
        foreach (var candidate in Enum.GetValues<ForkPullRequestPolicy>())
        {
            if (string.Equals(candidate.ToWire(), value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                policy = candidate;
                return true;
            }
        }

        policy = default;
        return false;
    }

    /// <summary>Why <paramref name="value"/> is not a policy, naming the ones there are.</summary>
    public static string Error(string field, string? value) =>
        $"{field}: '{value}' is not one of approve, run or ignore";
}
