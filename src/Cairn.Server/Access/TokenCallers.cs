using Cairn.Core.Access;
using Cairn.Server.Hosting;

namespace Cairn.Server.Access;

/// <summary>Who a bearer token is: the one reading of a presented token, for each request (<see cref="CallerResolver"/>)
/// and for the dashboard's token sign-in alike.</summary>
public sealed class TokenCallers(AdminToken adminToken, IUserStore users, IApiTokenStore tokens, TimeProvider time)
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
}
