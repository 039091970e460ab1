using Cairn.Core.Access;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>What a client sends to make a token: a name, a lifetime (<c>30d</c>, <c>12h</c>, <c>90m</c>; default 30d)
/// and scopes (<c>read</c>, <c>trigger</c>, <c>admin</c>; default read).</summary>
public sealed record TokenRequest(string? Name, string? ExpiresIn, IReadOnlyList<string>? Scopes);

/// <summary>An API token as listed: never its value nor its hash.</summary>
public sealed record TokenView(
    string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A token just made: the one answer that carries its value, which the server does not keep.</summary>
public sealed record CreatedTokenView(
    string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token);

/// <summary>API tokens: the caller's own (<c>/tokens</c>) and, for admins, anyone's (<c>/users/{name}/tokens</c>). A token
/// carries the admin scope ("everything its user may do") only when its user holds admin or maintainer somewhere — for
/// anyone else it would reach no further than trigger — and a caller signed in with a token makes none wider than it.
/// Whatever the scopes, a token never holds more than its user (<see cref="TokenScopes.Effective"/>).</summary>
internal static class TokensApi
{
    public const int NameMaxLength = 100;

    /// <summary>How long a token lives when the request does not say.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/tokens", (TokenRequest? request, Caller caller, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            caller.User is { } user ? CreateAsync(user, request, caller, deps, ct) : Task.FromResult(NoUser())).WithName("CreateToken").ForSignedIn();
        api.MapGet("/tokens", (Caller caller, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            caller.User is { } user ? ListAsync(user, deps, ct) : Task.FromResult(NoUser())).WithName("ListTokens").ForSignedIn();
        api.MapDelete("/tokens/{id}", (string id, Caller caller, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            caller.User is { } user ? RevokeAsync(user, id, caller, deps, ct) : Task.FromResult(NoUser())).WithName("RevokeToken").ForSignedIn();

        api.MapPost("/users/{name}/tokens", (string name, TokenRequest? request, Caller caller, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            OfUserAsync(name, deps, user => CreateAsync(user, request, caller, deps, ct), ct)).WithName("CreateUserToken").ForGlobal(Permission.ManageUsers);
        api.MapGet("/users/{name}/tokens", (string name, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            OfUserAsync(name, deps, user => ListAsync(user, deps, ct), ct)).WithName("ListUserTokens").ForGlobal(Permission.ManageUsers);
        api.MapDelete("/users/{name}/tokens/{id}", (string name, string id, Caller caller, [AsParameters] TokenDependencies deps, CancellationToken ct) =>
            OfUserAsync(name, deps, user => RevokeAsync(user, id, caller, deps, ct), ct)).WithName("RevokeUserToken").ForGlobal(Permission.ManageUsers);
    }

    private static async Task<IResult> OfUserAsync(string name, TokenDependencies deps, Func<UserRecord, Task<IResult>> then, CancellationToken cancellationToken) =>
        await deps.Users.GetUserAsync(name, cancellationToken) is { } user ? await then(user) : Problems.NotFound($"there is no user {name}");

    private static IResult NoUser() => Problems.BadRequest(
        "the admin token belongs to no user, so it has no tokens of its own; add a user (POST /api/v1/users) and make theirs at /api/v1/users/NAME/tokens");

    internal static async Task<IResult> CreateAsync(UserRecord user, TokenRequest? request, Caller caller, TokenDependencies deps, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.BadRequest("send a JSON object: { \"name\": \"deploy script\", \"expiresIn\": \"30d\", \"scopes\": [\"read\", \"trigger\"] }");
        }

        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > NameMaxLength || name.Any(char.IsControl))
        {
            errors.Add($"name: a token needs a name of 1 to {NameMaxLength} characters, without control characters");
        }

        var lifetime = DefaultLifetime;
        if (request.ExpiresIn is not null && !TokenLifetime.TryParse(request.ExpiresIn, out lifetime, out var badLifetime))
        {
            errors.Add($"expiresIn: {badLifetime}");
        }

        var scopes = TokenScope.Read;
        if (request.Scopes is not null && !TokenScopes.TryParse(request.Scopes, out scopes, out var badScopes))
        {
            errors.Add($"scopes: {badScopes}");
        }
        else if (scopes.HasFlag(TokenScope.Admin) && await deps.HighestRoleAsync(user, cancellationToken) is var highest && highest is not >= Role.Maintainer)
        {
            errors.Add(
                $"scopes: a token may carry the admin scope only when its user is an admin or a maintainer (globally or of a repository); {user.Name}'s highest role is {highest.ToWire()}");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (Wider(caller, scopes) is { } refusal)
        {
            await deps.Audit.RecordAsync(caller, AuditActions.TokenCreated, null, user.Name, AuditOutcomes.Denied, refusal, cancellationToken);
            return Problems.Forbidden(refusal, Role.Admin.ToWire());
        }

        var (value, token) = ApiTokens.Create(user.Id, name!, scopes, deps.Time.GetUtcNow(), lifetime);
        if (await deps.Tokens.CreateApiTokenAsync(token, cancellationToken) is not { } stored)
        {
            return Problems.NotFound($"there is no user {user.Name}");
        }

        await deps.Audit.RecordAsync(
            caller, AuditActions.TokenCreated, null, user.Name, AuditOutcomes.Ok,
            $"token {stored.Name} ({stored.Id}), scopes {TokenScopes.ToWire(stored.Scopes)}", cancellationToken);
        var view = new CreatedTokenView(stored.Id, stored.Name, TokenScopes.ToWireList(stored.Scopes), stored.CreatedAt, stored.ExpiresAt, value);
        return Results.Created($"/api/v1/tokens/{stored.Id}", view);
    }

    /// <summary>Why a caller whose scopes are capped (an API token, or a session opened with one) may not make a token of
    /// <paramref name="wanted"/> scopes: one of only the read scope makes none, and none makes one wider than itself. Null
    /// when it may.</summary>
    private static string? Wider(Caller caller, TokenScope wanted)
    {
        if (caller.Scopes is not { } held || held.HasFlag(TokenScope.Admin))
        {
            return null;
        }

        if (held == TokenScope.Read)
        {
            return "a token with only the read scope cannot make tokens";
        }

        return (wanted & ~held) != TokenScope.None
            ? $"a token cannot make one wider than itself: this one has {TokenScopes.ToWire(held)}, the new one would have {TokenScopes.ToWire(wanted)}"
            : null;
    }

    internal static async Task<IResult> ListAsync(UserRecord user, TokenDependencies deps, CancellationToken cancellationToken)
    {
        var tokens = await deps.Tokens.ListApiTokensAsync(user.Id, cancellationToken);
        return Results.Ok(new Page<TokenView>([.. tokens.Select(t => new TokenView(
            t.Id, t.Name, TokenScopes.ToWireList(t.Scopes), t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt))], null));
    }

    internal static async Task<IResult> RevokeAsync(UserRecord user, string id, Caller caller, TokenDependencies deps, CancellationToken cancellationToken)
    {
        // Another user's token is answered as no token at all: ids are not to be probed.
        if (await deps.Tokens.GetApiTokenAsync(id, cancellationToken) is not { } token || token.UserId != user.Id)
        {
            return Problems.NotFound($"{user.Name} has no token {id}");
        }

        if (token.RevokedAt is null && await deps.Tokens.RevokeApiTokenAsync(id, deps.Time.GetUtcNow(), cancellationToken))
        {
            await deps.Audit.RecordAsync(caller, AuditActions.TokenRevoked, null, user.Name, AuditOutcomes.Ok, $"token {token.Name} ({token.Id})", cancellationToken);
        }

        return Results.NoContent();
    }
}

/// <summary>What the token endpoints need, taken from the services as one parameter.</summary>
internal sealed record TokenDependencies(IUserStore Users, IMemberStore Members, IApiTokenStore Tokens, AuditTrail Audit, TimeProvider Time)
{
    /// <summary>The highest role <paramref name="user"/> holds anywhere: their global role or a grant on a repository
    /// (null: none). The admin scope reaches past trigger only for someone who holds maintainer or admin somewhere.</summary>
    public async Task<Role?> HighestRoleAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var grants = await Members.ListGrantsOfUserAsync(user.Name, cancellationToken);
        return grants.Select(g => (Role?)g.Role).Append(user.Role).Max();
    }
}
