using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;
using Cairn.Core.Secrets;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn secret set|list|remove</c>: the secrets a server's jobs read, a repository's (<c>--repo</c>) or
/// global. A value is read from stdin or a file, never taken as an argument, and never printed.</summary>
internal static class SecretCommand
{
    public static Command Create(CancellationToken cancellation) =>
        new("secret", "Set, list and remove the secrets a Cairn server gives to jobs that declare them")
        {
            Set(cancellation),
            List(cancellation),
            Remove(cancellation),
        };

    private static Command Set(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = Name("The secret's name, as jobs list it under secrets:");
        var repository = Scope();
        var fromFile = new Option<string?>("--from-file") { Description = "Read the value from this file (default: stdin)", HelpName = "FILE" };
        var command = server.AddTo(new Command("set", "Set a secret (replacing its value if it is there); the value comes from stdin or --from-file")
        {
            name, repository, fromFile,
        });
        command.SetAction(async (parse, _) =>
        {
            var file = parse.GetValue(fromFile) ?? "-";
            if (file == "-" && server.TokenFromStdin(parse))
            {
                await Console.Error.WriteLineAsync("error: the value is read from stdin, so --token-file cannot be - as well; give the value with --from-file");
                return ExitCodes.Usage;
            }

            var secret = parse.GetValue(name)!;
            if (file == "-" && !Console.IsInputRedirected)
            {
                await Console.Error.WriteLineAsync($"reading the value of {secret} from stdin (end with Ctrl-D)");
            }

            var (value, error) = await SecretInput.ReadAsync(file, $"the value of {secret}", Console.In, cancellation);
            error ??= SecretRules.ValueError(value);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
                return ExitCodes.Usage;
            }

            var scope = parse.GetValue(repository);
            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var (answer, created) = await session.Client.SetSecretAsync(scope, secret, value!, cancel);
                await (session.Json
                    ? session.WriteJsonAsync(answer.Json)
                    : session.Out.WriteLineAsync($"{(created ? "created" : "replaced")} {Describe(answer.Value.Scope ?? scope, secret)}"));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = Scope();
        var command = server.AddTo(new Command("list", "List the names of a repository's secrets (--repo), or of the global ones; never their values")
        {
            repository,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var scope = parse.GetValue(repository);
            var page = await session.Client.ListSecretsAsync(scope, cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync(scope is null
                    ? "no global secrets (set one with cairn secret set NAME)"
                    : $"no secrets for {scope} (set one with cairn secret set NAME --repo {scope})");
            }
            else
            {
                await session.Out.WriteLineAsync(SecretViews.Secrets(page.Value.Items, session.Time.GetUtcNow(), session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Remove(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = Name("The secret to remove");
        var repository = Scope();
        var command = server.AddTo(new Command("remove", "Remove a secret") { name, repository });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var secret = parse.GetValue(name)!;
            var scope = parse.GetValue(repository);
            await session.Client.RemoveSecretAsync(scope, secret, cancel);
            await session.Out.WriteLineAsync(session.Json ? JsonPages.RemovedSecret(secret, scope) : $"removed {Describe(scope, secret)}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static string Describe(string? scope, string name) => scope is null ? $"global secret {name}" : $"secret {name} of {scope}";

    private static Argument<string> Name(string description)
    {
        var argument = new Argument<string>("NAME") { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && SecretRules.NameError(value) is { } error)
            {
                result.AddError(error);
            }
        });
        return argument;
    }

    private static Option<string?> Scope() =>
        ServerArguments.RepositoryFilter("The repository whose secret it is, as owner/repo (default: a global secret, for every repository)");
}
