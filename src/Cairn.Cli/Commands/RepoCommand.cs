using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn repo add|set|list|remove</c>: the repositories a server builds. Secrets are read from files or
/// stdin, never taken as arguments, which show in the process list.</summary>
internal static class RepoCommand
{
    private static readonly string[] Forges = ["github", "gitlab", "gitea", "bitbucket"];

    private static readonly string[] ForkPolicies = ["approve", "run", "ignore"];

    private const string PublicHelp = "Let anyone, signed in or not, read its runs and logs (nothing else)";

    private const string ForkPolicyHelp =
        "Pull requests from forks: approve (their runs wait for a maintainer; the default), run (at once) or ignore";

    public static Command Create(CancellationToken cancellation) =>
        new("repo", "Add, change, list and remove the repositories a Cairn server builds")
        {
            Add(cancellation),
            Set(cancellation),
            List(cancellation),
            Remove(cancellation),
        };

    private static Command Add(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = ServerArguments.Repository();
        var forge = ServerArguments.OneOf("--forge", "Where the repository lives", Forges);
        forge.Required = true;
        var cloneUrl = new Option<string>("--clone-url") { Description = "The URL the server clones from", Required = true, HelpName = "URL" };
        var apiUrl = new Option<string?>("--api-url") { Description = "The forge's API, for a self-hosted forge (default: the forge's public API)", HelpName = "URL" };
        var defaultBranch = new Option<string?>("--default-branch") { Description = "The branch cairn trigger runs by default (default: main)", HelpName = "BRANCH" };
        var webhookSecret = new Option<string?>("--webhook-secret-file") { Description = "A file holding the secret the forge signs webhooks with; - for stdin", HelpName = "FILE" };
        var statusToken = new Option<string?>("--status-token-file") { Description = "A file holding the forge token commit statuses are posted with; - for stdin", HelpName = "FILE" };
        var allowForkSecrets = new Option<bool>("--allow-fork-secrets") { Description = "Give secrets to runs of pull requests from forks (off by default: anyone can open one)" };
        var forkPullRequests = ServerArguments.OneOf("--fork-pull-requests", ForkPolicyHelp, ForkPolicies);
        var isPublic = new Option<bool>("--public") { Description = PublicHelp };

        var command = server.AddTo(new Command("add", "Add a repository; prints the webhook URL to set at the forge")
        {
            name, forge, cloneUrl, apiUrl, defaultBranch, webhookSecret, statusToken, allowForkSecrets, forkPullRequests, isPublic,
        });
        command.SetAction(async (parse, _) =>
        {
            var secretFile = parse.GetValue(webhookSecret);
            var tokenFile = parse.GetValue(statusToken);
            var fromStdin = new[] { secretFile, tokenFile }.Count(f => f == "-") + (server.TokenFromStdin(parse) ? 1 : 0);
            if (fromStdin > 1)
            {
                await Console.Error.WriteLineAsync("error: only one of --webhook-secret-file, --status-token-file and --token-file can be - (stdin)");
                return ExitCodes.Usage;
            }

            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var errors = new List<string>();
                var secret = await ReadSecretAsync(secretFile, "the webhook secret", errors, cancel);
                var token = await ReadSecretAsync(tokenFile, "the status token", errors, cancel);
                if (errors.Count > 0)
                {
                    foreach (var error in errors)
                    {
                        await session.Error.WriteLineAsync($"error: {error}");
                    }

                    return ExitCodes.Usage;
                }

                var request = new AddRepositoryRequest(
                    parse.GetValue(name)!,
                    parse.GetValue(forge)!,
                    parse.GetValue(cloneUrl)!,
                    parse.GetValue(apiUrl),
                    secret,
                    token,
                    parse.GetValue(defaultBranch),
                    parse.GetValue(allowForkSecrets) ? true : null,
                    parse.GetValue(forkPullRequests),
                    parse.GetValue(isPublic) ? true : null);
                var added = await session.Client.AddRepositoryAsync(request, cancel);
                await (session.Json ? session.WriteJsonAsync(added.Json) : session.Out.WriteLineAsync(ServerViews.Repository(added.Value, "added")));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }

    private static Command Set(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = ServerArguments.Repository("The repository to change, as owner/repo");
        var forkPullRequests = ServerArguments.OneOf("--fork-pull-requests", ForkPolicyHelp, ForkPolicies);
        var allowForkSecrets = ServerArguments.OneOf("--allow-fork-secrets", "Whether runs of pull requests from forks get secrets", "true", "false");
        var makePublic = new Option<bool>("--public") { Description = PublicHelp };
        var makePrivate = new Option<bool>("--private") { Description = "Only those granted a role may see its runs and logs (undoes --public)" };
        var maxRunning = new Option<int?>("--max-running-jobs")
        {
            Description = "How many of its jobs may run at once; queued jobs over it wait, said so (0: no limit)",
        };
        var command = server.AddTo(new Command("set", "Change a repository's settings; what is not given stays as it is")
        {
            name, forkPullRequests, allowForkSecrets, makePublic, makePrivate, maxRunning,
        });
        command.SetAction(async (parse, _) =>
        {
            var policy = parse.GetValue(forkPullRequests);
            var secrets = parse.GetValue(allowForkSecrets) is { } allow ? allow == "true" : (bool?)null;
            if (parse.GetValue(makePublic) && parse.GetValue(makePrivate))
            {
                await Console.Error.WriteLineAsync("error: give --public or --private, not both");
                return ExitCodes.Usage;
            }

            bool? open = parse.GetValue(makePublic) ? true : parse.GetValue(makePrivate) ? false : null;
            var limit = parse.GetValue(maxRunning);
            if (policy is null && secrets is null && open is null && limit is null)
            {
                await Console.Error.WriteLineAsync(
                    "error: say what to change: --fork-pull-requests approve|run|ignore, --allow-fork-secrets true|false, --public or --private, "
                    + "--max-running-jobs N");
                return ExitCodes.Usage;
            }

            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var changed = await session.Client.ChangeRepositoryAsync(
                    parse.GetValue(name)!, new ChangeRepositoryRequest(policy, secrets, open, limit), cancel);
                await (session.Json ? session.WriteJsonAsync(changed.Json) : session.Out.WriteLineAsync(ServerViews.Repository(changed.Value, "changed")));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List the repositories the server builds"));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            // The server may answer in pages; a person wants them all.
            var pages = new List<Answer<Page<RepositoryView>>>();
            string? cursor = null;
            do
            {
                var page = await session.Client.ListRepositoriesAsync(cursor, cancel);
                pages.Add(page);
                cursor = page.Value.Next;
            }
            while (cursor is not null);

            var repositories = pages.SelectMany(p => p.Value.Items).ToList();
            if (session.Json)
            {
                await session.WriteJsonAsync(pages.Count == 1 ? pages[0].Json : JsonPages.Merge(pages.Select(p => p.Json)));
            }
            else if (repositories.Count == 0)
            {
                await session.Out.WriteLineAsync("no repositories yet (add one with cairn repo add)");
            }
            else
            {
                await session.Out.WriteLineAsync(ServerViews.Repositories(repositories, session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Remove(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = ServerArguments.Repository("The repository to remove, as owner/repo");
        var command = server.AddTo(new Command("remove", "Remove a repository from the server") { name });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var repository = parse.GetValue(name)!;
            await session.Client.RemoveRepositoryAsync(repository, cancel);
            await session.Out.WriteLineAsync(session.Json ? JsonPages.Removed(repository) : $"removed {repository}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static async Task<string?> ReadSecretAsync(string? path, string what, List<string> errors, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return null;
        }

        if (path == "-" && !Console.IsInputRedirected)
        {
            await Console.Error.WriteLineAsync($"reading {what} from stdin (end with Ctrl-D)");
        }

        var (value, error) = await SecretInput.ReadAsync(path, what, Console.In, cancellationToken);
        if (error is not null)
        {
            errors.Add(error);
        }

        return value;
    }
}
