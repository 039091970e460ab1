using Cairn.Core.Access;
using Cairn.Core.Gates;
using Cairn.Core.Repositories;

namespace Cairn.Server.Gates;

/// <summary>Who the person deciding a gate is: their Cairn name and the groups their identity provider gave them (known
/// for a signed-in caller; none for a forge reviewer or a tracker's commenter), and the token and address they came with.</summary>
public sealed record GateDecider(string Person, IReadOnlyCollection<string> Groups, string? TokenName = null, string? ClientAddress = null);

/// <summary>Whether a person may decide a gate: they are named, or in a named team (<c>team:NAME</c>, one of their
/// groups), or hold a named role on the repository (<c>role:maintainer</c>, from the same grants as every access rule).</summary>
public sealed class GateEligibility(IUserStore users, IMemberStore members, IRepositoryStore repositories)
{
    private const string TeamPrefix = "team:";
    private const string RolePrefix = "role:";

    /// <summary>The person's user record when they may decide the gate, else null.</summary>
    public async Task<UserRecord?> EligibleAsync(GateRecord gate, GateDecider decider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(decider);
        if (await users.GetUserAsync(decider.Person, cancellationToken) is not { Disabled: false } user)
        {
            return null;
        }

        Role? role = null;
        var roleRead = false;
        foreach (var approver in gate.Approvers)
        {
            if (approver.StartsWith(TeamPrefix, StringComparison.Ordinal))
            {
                if (decider.Groups.Contains(approver[TeamPrefix.Length..], StringComparer.Ordinal))
                {
                    return user;
                }
            }
            else if (approver.StartsWith(RolePrefix, StringComparison.Ordinal))
            {
                if (!RoleNames.TryParse(approver[RolePrefix.Length..], out var wanted))
                {
                    continue;
                }

                if (!roleRead)
                {
                    role = await RoleAsync(user, decider.Groups, gate.Repository, cancellationToken);
                    roleRead = true;
                }

                if (role is { } held && held >= wanted)
                {
                    return user;
                }
            }
            else if (string.Equals(approver, user.Name, StringComparison.OrdinalIgnoreCase))
            {
                return user;
            }
        }

        return null;
    }

    private async Task<Role?> RoleAsync(UserRecord user, IReadOnlyCollection<string> groups, string repository, CancellationToken cancellationToken)
    {
        var record = await repositories.GetRepositoryAsync(repository, cancellationToken);
        var grants = await members.ListGrantsOfUserAsync(user.Name, cancellationToken);
        var teams = groups.Count == 0 ? [] : await members.ListTeamGrantsAsync(repository, cancellationToken);
        return EffectiveRole.Of(user, groups, repository, grants, teams, record?.Public ?? false);
    }
}
