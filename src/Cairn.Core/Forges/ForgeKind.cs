namespace Cairn.Core.Forges;

/// <summary>The forges Cairn takes webhooks from and reports commit statuses to.</summary>
public enum ForgeKind
{
    GitHub,
    GitLab,
    Gitea,
    Bitbucket,
}

/// <summary>The lower-case wire names of <see cref="ForgeKind"/>, as stored, routed (<c>/hooks/github</c>) and sent as JSON.</summary>
public static class ForgeNames
{
    public static string ToWire(this ForgeKind forge) => forge switch
    {
        ForgeKind.GitHub => "github",
        ForgeKind.GitLab => "gitlab",
        ForgeKind.Gitea => "gitea",
        ForgeKind.Bitbucket => "bitbucket",
        _ => throw new ArgumentOutOfRangeException(nameof(forge)),
    };

    public static bool TryParse(string? value, out ForgeKind forge)
    {
        foreach (var candidate in Enum.GetValues<ForgeKind>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                forge = candidate;
                return true;
            }
        }

        // Forgejo speaks Gitea's API and webhooks.
        if (string.Equals(value, "forgejo", StringComparison.OrdinalIgnoreCase))
        {
            forge = ForgeKind.Gitea;
            return true;
        }

        forge = default;
        return false;
    }
}
