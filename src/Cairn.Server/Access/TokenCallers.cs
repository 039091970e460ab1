using Cairn.Core.Access;
using Cairn.Core.Workers;
using Cairn.Server.Hosting;

namespace Cairn.Server.Access;

/// <summary>Who a bearer token is: the one reading of a presented token, for each request (<see cref="CallerResolver"/>)
/// and for the dashboard's token sign-in alike. A worker's token (<see cref="WorkerTokens"/>) makes a worker caller, with no
/// user and no role.</summary>
public sealed class TokenCallers(AdminToken adminToken, IUserStore users, IApiTokenStore tokens, TimeProvider time, WorkerIdentities? workers = null)
{
    /// <summary>The caller a presented bearer token makes: the admin token acts for its user, an API token for its own,
    /// capped by its scopes; anything else (or a user gone or disabled) is a refused caller.</summary>
    public async Task<Caller> FromTokenAsync(string presented, string? address, CancellationToken cancellationToken)
    {
        if (adminToken.Accepts(presented))
        {
            return adminToken.UserId is { } id && await users.GetUserByIdAsync(id, cancellationToken) is { Disabled: false } admin
                ? new Caller { User = admin, UncappedRole = admin.Role, Method = CallerMethod.AdminToken, TokenName = "admin token", ClientAddress = address }
                : new Caller { Refused = true, ClientAddress = address };
        }

        if (presented.StartsWith(WorkerTokens.Prefix, StringComparison.Ordinal))
        {
            return await FromWorkerTokenAsync(presented, address, cancellationToken);
        }

        if (await tokens.AuthenticateApiTokenAsync(presented, time.GetUtcNow(), cancellationToken) is var (token, user))
        {
            return new Caller
            {
                User = user,
                UncappedRole = user.Role,
                Method = CallerMethod.ApiToken,
                TokenId = token.Id,
                TokenName = token.Name,
                Scopes = token.Scopes,
                ClientAddress = address,
            };
        }

        return new Caller { Refused = true, ClientAddress = address };
    }

    /// <summary>The worker whose token id the value names, when its secret matches (in constant time); a removed worker's
    /// token finds no one.</summary>
    private async Task<Caller> FromWorkerTokenAsync(string presented, string? address, CancellationToken cancellationToken)
    {
        if (workers is not null
            && WorkerTokens.TryParse(presented, out var id, out var secret)
            && await workers.ByTokenIdAsync(id, cancellationToken) is { } worker
            && WorkerTokens.Matches(secret, worker))
        {
            return new Caller { Worker = worker, Method = CallerMethod.Worker, TokenId = worker.TokenId, TokenName = $"worker {worker.Name}", ClientAddress = address };
        }

        return new Caller { Refused = true, ClientAddress = address };
    }
}
