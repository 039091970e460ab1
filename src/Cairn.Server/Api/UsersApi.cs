using Cairn.Core.Access;
using Cairn.Server.Access;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>What a client sends to add a local user. A role left out is the server's default role for new users;
/// <c>none</c> gives no global role (only grants and public repositories).</summary>
public sealed record UserRequest(string? Name, string? Role, string? Email);

/// <summary>What a client sends to change a user: what it leaves out stays as it is.</summary>
public sealed record UserChangeRequest(string? Role, bool? Disabled);

/// <summary>A user as the API shows it. <c>role</c> is <c>viewer</c>, <c>developer</c>, <c>maintainer</c>, <c>admin</c> or
/// <c>none</c>; <c>source</c> is <c>local</c>, <c>oidc</c> or <c>github</c>.</summary>
public sealed record UserView(string Name, string? Email, string Role, string Source, DateTimeOffset CreatedAt, bool Disabled);

/// <summary>Who the server takes the caller for. <c>method</c> is <c>admin-token</c>, <c>token</c> (an API token, named by
/// <c>tokenName</c>, with its <c>scopes</c>) or <c>session</c> (the dashboard's cookie).</summary>
public sealed record MeView(
    string? Name, string Role, string? Source, IReadOnlyList<string> Groups, string Method, string? TokenName, IReadOnlyList<string>? Scopes);

/// <summary>Users (an admin's endpoints) and <c>/me</c> (anyone signed in). Removing a user revokes their tokens, removes
/// their grants and ends their sessions; no admin may remove, disable or demote themselves, so the server always keeps
/// one who can undo a mistake.</summary>
internal static class UsersApi
{
    public const int EmailMaxLength = 254;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/users", AddAsync).WithName("AddUser").ForGlobal(Permission.ManageUsers);
        api.MapGet("/users", ListAsync).WithName("ListUsers").ForGlobal(Permission.ManageUsers);
        api.MapGet("/users/{name}", GetAsync).WithName("GetUser").ForGlobal(Permission.ManageUsers);
        api.MapPatch("/users/{name}", ChangeAsync).WithName("ChangeUser").ForGlobal(Permission.ManageUsers);
        api.MapDelete("/users/{name}", DeleteAsync).WithName("DeleteUser").ForGlobal(Permission.ManageUsers);
        api.MapGet("/me", Me).WithName("WhoAmI").ForSignedIn();
    }

    internal static UserView View(UserRecord user) =>
        new(user.Name, user.Email, user.Role.ToWire(), user.Source.ToString().ToLowerInvariant(), user.CreatedAt, user.Disabled);

    /// <summary>Whether <paramref name="name"/> is the caller's own user.</summary>
    internal static bool IsSelf(Caller caller, string name) =>
        caller.User is { } me && string.Equals(me.Name, name, StringComparison.OrdinalIgnoreCase);

    internal static async Task<IResult> AddAsync(
        UserRequest? request, Caller caller, IUserStore users, ServerSettings settings, AuditTrail audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.BadRequest("send a JSON object: { \"name\": \"alice\", \"role\": \"developer\", \"email\": \"alice@example.com\" }");
        }

        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (UserName.Check(name) is { } badName)
        {
            errors.Add($"name: the name {badName}");
        }

        Role? role = settings.DefaultRole;
        if (request.Role is not null && !RoleNames.TryParseGlobal(request.Role, out role))
        {
            errors.Add($"role: '{request.Role}' is not a role (viewer, developer, maintainer, admin or none)");
        }

        var email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim();
        if (EmailError(email) is { } badEmail)
        {
            errors.Add($"email: {badEmail}");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var added = await users.CreateUserAsync(new NewUser(name!, email, role, UserSource.Local, time.GetUtcNow()), cancellationToken);
        if (added is null)
        {
            return Problems.Conflict($"there is a user named {name} already (names are the same in any case)");
        }

        await audit.RecordAsync(caller, AuditActions.UserAdded, null, added.Name, AuditOutcomes.Ok, $"role {added.Role.ToWire()}", cancellationToken);
        return Results.Created($"/api/v1/users/{Uri.EscapeDataString(added.Name)}", View(added));
    }

    private static async Task<IResult> ListAsync(IUserStore users, CancellationToken cancellationToken)
    {
        var all = await users.ListUsersAsync(cancellationToken);
        return Results.Ok(new Page<UserView>([.. all.Select(View)], null));
    }

    private static async Task<IResult> GetAsync(string name, IUserStore users, CancellationToken cancellationToken) =>
        await users.GetUserAsync(name, cancellationToken) is { } user ? Results.Ok(View(user)) : Problems.NotFound($"there is no user {name}");

    internal static async Task<IResult> ChangeAsync(
        string name, UserChangeRequest? request, Caller caller, IUserStore users, ISessionStore sessions, AuditTrail audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request is null || (request.Role is null && request.Disabled is null))
        {
            return Problems.BadRequest("send a JSON object with what to change: { \"role\": \"viewer\" | \"developer\" | \"maintainer\" | \"admin\" | \"none\", \"disabled\": true | false }");
        }

        Role? role = null;
        if (request.Role is not null && !RoleNames.TryParseGlobal(request.Role, out role))
        {
            return Problems.Validation([$"role: '{request.Role}' is not a role (viewer, developer, maintainer, admin or none)"]);
        }

        if (await users.GetUserAsync(name, cancellationToken) is not { } user)
        {
            return Problems.NotFound($"there is no user {name}");
        }

        if (IsSelf(caller, user.Name) && (request.Disabled == true || (request.Role is not null && role != user.Role)))
        {
            return Problems.Conflict("you cannot disable yourself or change your own role; another admin can");
        }

        if (request.Role is not null && role != user.Role)
        {
            await users.SetUserRoleAsync(user.Name, role, cancellationToken);
            await audit.RecordAsync(caller, AuditActions.UserChanged, null, user.Name, AuditOutcomes.Ok, $"role {user.Role.ToWire()} → {role.ToWire()}", cancellationToken);
        }

        if (request.Disabled is { } disabled && disabled != user.Disabled)
        {
            await users.SetUserDisabledAsync(user.Name, disabled, cancellationToken);
            if (disabled)
            {
                await sessions.EndSessionsOfUserAsync(user.Id, time.GetUtcNow(), cancellationToken);
            }

            await audit.RecordAsync(caller, AuditActions.UserChanged, null, user.Name, AuditOutcomes.Ok, disabled ? "disabled" : "enabled", cancellationToken);
        }

        return await users.GetUserAsync(user.Name, cancellationToken) is { } changed
            ? Results.Ok(View(changed))
            : Problems.NotFound($"there is no user {name}");
    }

    internal static async Task<IResult> DeleteAsync(
        string name, Caller caller, IUserStore users, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (IsSelf(caller, name))
        {
            return Problems.Conflict("you cannot remove yourself; another admin can");
        }

        if (!await users.DeleteUserAsync(name, time.GetUtcNow(), cancellationToken))
        {
            return Problems.NotFound($"there is no user {name}");
        }

        await audit.RecordAsync(caller, AuditActions.UserRemoved, null, name, AuditOutcomes.Ok, null, cancellationToken);
        return Results.NoContent();
    }

    private static IResult Me(Caller caller) => Results.Ok(new MeView(
        caller.User?.Name ?? caller.Actor,
        caller.GlobalRole.ToWire(),
        caller.User?.Source.ToString().ToLowerInvariant(),
        caller.Groups,
        caller.Method switch
        {
            CallerMethod.AdminToken => "admin-token",
            CallerMethod.ApiToken => "token",
            CallerMethod.Session => "session",
            _ => "none",
        },
        caller.TokenName,
        caller.Scopes is { } scopes ? TokenScopes.ToWireList(scopes) : null));

    /// <summary>Null when <paramref name="email"/> (null: none given) looks like an address; what is wrong otherwise.</summary>
    internal static string? EmailError(string? email)
    {
        if (email is null)
        {
            return null;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length > EmailMaxLength)
        {
            return $"is longer than {EmailMaxLength} characters";
        }

        return at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"'{email}' is not an e-mail address (name@host)"
            : null;
    }
}
