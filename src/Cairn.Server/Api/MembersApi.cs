using Cairn.Core.Access;
using Cairn.Core.Repositories;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Cairn.Server.Api;

/// <summary>What a client sends to grant a role on a repository to a user or a group.</summary>
public sealed record GrantRequest(string? Role);

/// <summary>A user's role granted on one repository.</summary>
public sealed record MemberView(string User, string Role);

/// <summary>A group's role granted on one repository.</summary>
public sealed record TeamView(string Group, string Role);

/// <summary>Roles granted on a repository to users (<c>…/members/USER</c>) and to groups of the identity provider
/// (<c>…/teams/GROUP</c>), for those who hold the maintainer role there. No one grants a role above their own, nor
/// changes a grant above it. Repositories with subgroups (<c>group/sub/project</c>) come through catch-all routes that
/// end in those suffixes (<see cref="RepositoryPath"/>); every handler checks the caller's role on the repository
/// itself, whichever route brought the request.</summary>
internal static class MembersApi
{
    public const int GroupMaxLength = 200;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/repos/{owner}/{repo}/members", (string owner, string repo, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            ListAsync($"{owner}/{repo}", RepositoryResource.Members, caller, deps, ct))
            .WithName("ListRepositoryMembers").ForRepository(Permission.ManageMembers, "owner", "repo");
        api.MapPut("/repos/{owner}/{repo}/members/{user}", (string owner, string repo, string user, GrantRequest? request, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            SetAsync($"{owner}/{repo}", RepositoryResource.Member, user, request, caller, deps, ct))
            .WithName("SetRepositoryMember").ForRepository(Permission.ManageMembers, "owner", "repo");
        api.MapDelete("/repos/{owner}/{repo}/members/{user}", (string owner, string repo, string user, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            RemoveAsync($"{owner}/{repo}", RepositoryResource.Member, user, caller, deps, ct))
            .WithName("RemoveRepositoryMember").ForRepository(Permission.ManageMembers, "owner", "repo");
        api.MapGet("/repos/{owner}/{repo}/teams", (string owner, string repo, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            ListAsync($"{owner}/{repo}", RepositoryResource.Teams, caller, deps, ct))
            .WithName("ListRepositoryTeams").ForRepository(Permission.ManageMembers, "owner", "repo");
        api.MapPut("/repos/{owner}/{repo}/teams/{group}", (string owner, string repo, string group, GrantRequest? request, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            SetAsync($"{owner}/{repo}", RepositoryResource.Team, group, request, caller, deps, ct))
            .WithName("SetRepositoryTeam").ForRepository(Permission.ManageMembers, "owner", "repo");
        api.MapDelete("/repos/{owner}/{repo}/teams/{group}", (string owner, string repo, string group, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
            RemoveAsync($"{owner}/{repo}", RepositoryResource.Team, group, caller, deps, ct))
            .WithName("RemoveRepositoryTeam").ForRepository(Permission.ManageMembers, "owner", "repo");

        // Repositories with subgroups: the whole rest of the path, taken only when it ends in members or teams (the
        // constraint ranks these above the repository's own catch-all routes).
        api.Map(Deep(RepositoryResource.Members, RepositoryResource.Teams), (string path, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
                DispatchAsync(HttpMethods.Get, RepositoryPath.Parse(path), null, caller, deps, ct))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get])).WithName("ListNestedRepositoryGrants").ForRepositoryPath(RepositoryPaths.PermissionOf);
        api.Map(Deep(RepositoryResource.Member, RepositoryResource.Team), (string path, GrantRequest? request, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
                DispatchAsync(HttpMethods.Put, RepositoryPath.Parse(path), request, caller, deps, ct))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Put])).WithName("SetNestedRepositoryGrant").ForRepositoryPath(RepositoryPaths.PermissionOf);
        api.Map(Deep(RepositoryResource.Member, RepositoryResource.Team), (string path, Caller caller, [AsParameters] MemberDependencies deps, CancellationToken ct) =>
                DispatchAsync(HttpMethods.Delete, RepositoryPath.Parse(path), null, caller, deps, ct))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Delete])).WithName("RemoveNestedRepositoryGrant").ForRepositoryPath(RepositoryPaths.PermissionOf);
    }

    private static RoutePattern Deep(params RepositoryResource[] resources) =>
        RoutePatternFactory.Parse("/repos/{**path}", defaults: null, parameterPolicies: new RouteValueDictionary { ["path"] = new RepositoryResourceConstraint(resources) });

    /// <summary>A catch-all route's request for members or teams, sent on by method.</summary>
    private static Task<IResult> DispatchAsync(
        string method, RepositoryPath path, GrantRequest? request, Caller caller, MemberDependencies deps, CancellationToken cancellationToken) =>
        (method, path.Resource, path.Principal) switch
        {
            ("GET", RepositoryResource.Members or RepositoryResource.Teams, _) => ListAsync(path.Repository, path.Resource, caller, deps, cancellationToken),
            ("PUT", RepositoryResource.Member or RepositoryResource.Team, { } who) => SetAsync(path.Repository, path.Resource, who, request, caller, deps, cancellationToken),
            ("DELETE", RepositoryResource.Member or RepositoryResource.Team, { } who) => RemoveAsync(path.Repository, path.Resource, who, caller, deps, cancellationToken),
            _ => Task.FromResult(Problems.NotFound($"there is nothing to {method} at repos/{path.Repository}/{path.Resource.ToString().ToLowerInvariant()}")),
        };

    private static async Task<IResult> ListAsync(string repository, RepositoryResource resource, Caller caller, MemberDependencies deps, CancellationToken cancellationToken)
    {
        var (name, _, refused) = await deps.CheckAsync(caller, repository, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (resource == RepositoryResource.Members)
        {
            var members = await deps.Members.ListMembersAsync(name, cancellationToken);
            return Results.Ok(new Page<MemberView>([.. members.Select(m => new MemberView(m.User, m.Role.ToWire()))], null));
        }

        var teams = await deps.Members.ListTeamGrantsAsync(name, cancellationToken);
        return Results.Ok(new Page<TeamView>([.. teams.Select(t => new TeamView(t.Group, t.Role.ToWire()))], null));
    }

    internal static async Task<IResult> SetAsync(
        string repository, RepositoryResource resource, string who, GrantRequest? request, Caller caller, MemberDependencies deps, CancellationToken cancellationToken)
    {
        var member = resource == RepositoryResource.Member;
        if (request is null || !RoleNames.TryParse(request.Role, out var role))
        {
            return Problems.Validation([$"role: '{request?.Role}' is not a role (viewer, developer, maintainer, admin); send {{ \"role\": \"maintainer\" }}"]);
        }

        if (!member && GroupError(who) is { } badGroup)
        {
            return Problems.Validation([$"group: {badGroup}"]);
        }

        var (name, held, refused) = await deps.CheckAsync(caller, repository, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var action = member ? AuditActions.MemberGranted : AuditActions.TeamGranted;
        var current = await CurrentAsync(name, resource, who, deps, cancellationToken);
        if (role > held || current > held)
        {
            var detail = role > held
                ? $"you hold {held.ToWire()} on {name} and cannot grant {role.ToWire()}, a role above your own"
                : $"{who} holds {current!.Value.ToWire()} on {name}, a role above your own ({held.ToWire()}); only someone who holds it may change that grant";
            await deps.Audit.RecordAsync(caller, action, name, who, AuditOutcomes.Denied, detail, cancellationToken);
            return Problems.Forbidden(detail, (role > held ? role : current!.Value).ToWire());
        }

        if (member)
        {
            if (await deps.Users.GetUserAsync(who, cancellationToken) is not { } user)
            {
                return Problems.NotFound($"there is no user {who}");
            }

            await deps.Members.SetMemberAsync(name, user.Name, role, cancellationToken);
            await deps.Audit.RecordAsync(caller, action, name, user.Name, AuditOutcomes.Ok, $"role {role.ToWire()}", cancellationToken);
            return Results.Ok(new MemberView(user.Name, role.ToWire()));
        }

        await deps.Members.SetTeamGrantAsync(name, who, role, cancellationToken);
        await deps.Audit.RecordAsync(caller, action, name, who, AuditOutcomes.Ok, $"role {role.ToWire()}", cancellationToken);
        return Results.Ok(new TeamView(who, role.ToWire()));
    }

    internal static async Task<IResult> RemoveAsync(
        string repository, RepositoryResource resource, string who, Caller caller, MemberDependencies deps, CancellationToken cancellationToken)
    {
        var (name, held, refused) = await deps.CheckAsync(caller, repository, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var member = resource == RepositoryResource.Member;
        var action = member ? AuditActions.MemberRemoved : AuditActions.TeamRemoved;
        var current = await CurrentAsync(name, resource, who, deps, cancellationToken);
        if (current > held)
        {
            var detail = $"{who} holds {current!.Value.ToWire()} on {name}, a role above your own ({held.ToWire()}); only someone who holds it may remove that grant";
            await deps.Audit.RecordAsync(caller, action, name, who, AuditOutcomes.Denied, detail, cancellationToken);
            return Problems.Forbidden(detail, current!.Value.ToWire());
        }

        var removed = member
            ? await deps.Members.RemoveMemberAsync(name, who, cancellationToken)
            : await deps.Members.RemoveTeamGrantAsync(name, who, cancellationToken);
        if (!removed)
        {
            return Problems.NotFound(member ? $"{who} holds no grant on {name}" : $"group {who} holds no grant on {name}");
        }

        await deps.Audit.RecordAsync(caller, action, name, who, AuditOutcomes.Ok, null, cancellationToken);
        return Results.NoContent();
    }

    /// <summary>The role granted now to the user or group on the repository; null for none.</summary>
    private static async Task<Role?> CurrentAsync(string repository, RepositoryResource resource, string who, MemberDependencies deps, CancellationToken cancellationToken)
    {
        if (resource == RepositoryResource.Member)
        {
            var members = await deps.Members.ListMembersAsync(repository, cancellationToken);
            return members.FirstOrDefault(m => string.Equals(m.User, who, StringComparison.OrdinalIgnoreCase))?.Role;
        }

        var teams = await deps.Members.ListTeamGrantsAsync(repository, cancellationToken);
        return teams.FirstOrDefault(t => string.Equals(t.Group, who, StringComparison.Ordinal))?.Role;
    }

    /// <summary>Null when <paramref name="group"/> may be granted a role: 1 to <see cref="GroupMaxLength"/> characters, no
    /// control characters.</summary>
    internal static string? GroupError(string group) =>
        group.Length == 0 || group.Length > GroupMaxLength || group.Any(char.IsControl)
            ? $"a group's name is 1 to {GroupMaxLength} characters, without control characters"
            : null;
}

/// <summary>What the member and team endpoints need, taken from the services as one parameter.</summary>
internal sealed record MemberDependencies(IRepositoryStore Repositories, IMemberStore Members, IUserStore Users, RepositoryAccess Access, AuditTrail Audit)
{
    private static readonly string Required = RolePermissions.Required(Permission.ManageMembers).ToWire();

    /// <summary>The repository's name as the server knows it and the caller's role there; or the answer that refuses them:
    /// 404 when there is no such repository or it is not theirs to see, 403 when they see it but may not manage its members.</summary>
    public async Task<(string Name, Role Held, IResult? Refused)> CheckAsync(Caller caller, string repository, CancellationToken cancellationToken)
    {
        var record = await Repositories.GetRepositoryAsync(repository, cancellationToken);
        var role = record is null ? null : await Access.RoleOnAsync(caller, record.Name, cancellationToken);
        if (record is null || role is not { } held)
        {
            return (repository, default, Problems.NotFound($"there is no repository {repository}"));
        }

        return RolePermissions.Allows(held, Permission.ManageMembers)
            ? (record.Name, held, null)
            : (record.Name, held, Problems.Forbidden(
                $"managing the members of {record.Name} needs the {Required} role there; you hold {held.ToWire()}", Required));
    }
}

/// <summary>Takes a catch-all path under <c>repos/</c> only when <see cref="RepositoryPath"/> reads it as one of the given
/// resources.</summary>
internal sealed class RepositoryResourceConstraint(params RepositoryResource[] resources) : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string path && resources.Contains(RepositoryPath.Parse(path).Resource);
}
