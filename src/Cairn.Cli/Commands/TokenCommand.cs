using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;
using Cairn.Core.Access;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn token create|list|revoke</c>: API tokens for scripts, the caller's own or (<c>--user</c>, for
/// admins) someone else's. A token's value is printed once, when it is made; the server keeps only its hash.</summary>
internal static class TokenCommand
{
    private static readonly string[] Scopes = ["read", "trigger", "admin"];

    public static Command Create(CancellationToken cancellation) =>
        new("token", "Create, list and revoke API tokens")
        {
            Make(cancellation),
            List(cancellation),
            Revoke(cancellation),
        };

    private static Command Make(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = new Argument<string>("NAME") { Description = "What the token is for, as lists show it" };
        var expiresIn = new Option<string?>("--expires-in") { Description = "How long it lives: 30d, 12h, 90m (default: the server's, 30d)", HelpName = "DURATION" };
        expiresIn.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && !TokenLifetime.TryParse(value, out _, out var error))
            {
                result.AddError($"--expires-in: {error}");
            }
        });
        var scope = new Option<string[]>("--scope")
        {
            Description = "What it may do: read, trigger or admin; repeat for several (default: read)",
            HelpName = string.Join('|', Scopes),
            AllowMultipleArgumentsPerToken = false,
        };
        scope.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !Scopes.Contains(t.Value, StringComparer.Ordinal)))
            {
                result.AddError($"--scope takes read, trigger or admin, not '{token.Value}'");
            }
        });
        var user = PeopleArguments.OtherUser("Make the token for this user rather than for yourself (for admins)");
        var command = server.AddTo(new Command("create", "Create a token and print its value, once: the server cannot show it again")
        {
            name, expiresIn, scope, user,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var scopes = parse.GetValue(scope) is { Length: > 0 } given ? given : null;
            var created = await session.Client.CreateTokenAsync(
                parse.GetValue(user), new TokenRequest(parse.GetValue(name)!, parse.GetValue(expiresIn), scopes), cancel);
            var token = created.Value;
            await session.Error.WriteLineAsync(
                $"created token {token.Name} ({token.Id}, {string.Join(", ", token.Scopes)}, " +
                $"{(token.ExpiresAt is { } at ? "expires " + PeopleViews.When(at) : "does not expire")}); its value is shown only now:");
            await (session.Json ? session.WriteJsonAsync(created.Json) : session.Out.WriteLineAsync(token.Token));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var user = PeopleArguments.OtherUser("List this user's tokens rather than yours (for admins)");
        var command = server.AddTo(new Command("list", "List tokens, revoked and expired ones too; never their values") { user });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListTokensAsync(parse.GetValue(user), cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("no tokens (create one with cairn token create NAME)");
            }
            else
            {
                await session.Out.WriteLineAsync(PeopleViews.Tokens(page.Value.Items, session.Time.GetUtcNow(), session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Revoke(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var id = new Argument<string>("ID") { Description = "The token's id (the ID column of cairn token list)" };
        var user = PeopleArguments.OtherUser("Revoke this user's token (for admins)");
        var command = server.AddTo(new Command("revoke", "Revoke a token: it stops working at once") { id, user });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var token = parse.GetValue(id)!;
            await session.Client.RevokeTokenAsync(parse.GetValue(user), token, cancel);
            await session.Out.WriteLineAsync(session.Json ? JsonPages.Done("revoked", ("id", token)) : $"revoked token {token}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
