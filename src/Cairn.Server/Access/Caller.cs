using System.Reflection;
using Cairn.Core.Access;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Access;

/// <summary>How a request said who it comes from.</summary>
public enum CallerMethod
{
    /// <summary>No credential: someone not signed in.</summary>
    None,

    /// <summary>The server's admin token (<c>DATA/admin.token</c>), which acts for the first admin.</summary>
    AdminToken,

    /// <summary>A user's API token.</summary>
    ApiToken,

    /// <summary>A dashboard session's cookie.</summary>
    Session,

    /// <summary>A worker's token (<c>cairnw_</c>): no user, no role; it makes only the worker calls.</summary>
    Worker,
}

/// <summary>Who makes a request, as <see cref="CallerResolver"/> found it: the user, their global role (raised by their
/// groups' mappings, capped by a token's scopes), and how they proved it. Every access decision and audit entry starts
/// here.</summary>
public sealed record Caller
{
    private static readonly object Key = new();

    public UserRecord? User { get; init; }

    /// <summary>The worker whose token the request came with; null for every other caller.</summary>
    public WorkerRecord? Worker { get; init; }

    /// <summary>What the caller holds on every repository, capped by <see cref="Scopes"/>; null for none.</summary>
    public Role? GlobalRole => Cap(UncappedRole);

    /// <summary>The user's global role raised by their groups' mappings, before a token's scopes cap it.</summary>
    public Role? UncappedRole { get; init; }

    /// <summary>The user's groups at their identity provider, as their session recorded them.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    public CallerMethod Method { get; init; }

    public string? TokenId { get; init; }

    public string? TokenName { get; init; }

    /// <summary>The scopes that cap what the caller may do (an API token's, or those of the token a session was opened
    /// with); null: no cap.</summary>
    public TokenScope? Scopes { get; init; }

    /// <summary>The id (a hash) of the dashboard session the request came with.</summary>
    public string? SessionId { get; init; }

    public string? ClientAddress { get; init; }

    /// <summary>Whether the request carried a credential the server refused (unknown, expired or revoked token).</summary>
    public bool Refused { get; init; }

    public bool IsSignedIn => User is not null;

    /// <summary>The user's name, as the audit log names them.</summary>
    public string? Actor => User?.Name;

    /// <summary>What <paramref name="role"/> becomes under the caller's scopes.</summary>
    public Role? Cap(Role? role) => Scopes is { } scopes ? TokenScopes.Effective(scopes, role) : role;

    /// <summary>Whether the caller's global role allows <paramref name="permission"/>.</summary>
    public bool MayGlobally(Permission permission) => RolePermissions.Allows(GlobalRole, permission);

    public static Caller Anonymous(string? clientAddress) => new() { ClientAddress = clientAddress };

    /// <summary>Lets a minimal-API handler take the caller as a parameter.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult<Caller?>(context.GetCaller());
    }

    internal static void Set(HttpContext context, Caller caller) => context.Items[Key] = caller;

    internal static Caller? Find(HttpContext context) => context.Items.TryGetValue(Key, out var found) ? found as Caller : null;
}

/// <summary>Reads the <see cref="Caller"/> of a request.</summary>
public static class CallerExtensions
{
    /// <summary>The request's caller; someone not signed in when no resolver ran (a request outside the pipeline).</summary>
    public static Caller GetCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Caller.Find(context) ?? Caller.Anonymous(context.Connection.RemoteIpAddress?.ToString());
    }
}
