using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn trigger owner/repo</c>: starts a manual run on the server, and with <c>--wait</c> follows it
/// to its end.</summary>
internal static class TriggerCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.Repository("The repository to run, as owner/repo");
        var gitRef = new Option<string?>("--ref") { Description = "The branch, tag or ref to run (default: the repository's default branch)", HelpName = "REF" };
        var sha = new Option<string?>("--sha") { Description = "Run exactly this commit of the ref", HelpName = "SHA" };
        var input = new Option<string[]>("--input", "-i") { Description = "Give the manual input NAME the value VALUE", Arity = ArgumentArity.ZeroOrMore, HelpName = "NAME=VALUE" };
        var idempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "Start the run at most once for this key: a retry with the same key answers the same run",
            HelpName = "KEY",
        };
        var wait = new Option<bool>("--wait") { Description = "Follow the run until it ends; exit 0 if it succeeded, 1 otherwise" };

        var command = server.AddTo(new Command("trigger", "Start a run of a repository's pipeline on the server")
        {
            repository, gitRef, sha, input, idempotencyKey, wait,
        });
        command.SetAction(async (parse, _) =>
        {
            var errors = new List<string>();
            var inputs = KeyValueOption.Parse("--input", parse.GetValue(input), errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"error: {error}");
                }

                return ExitCodes.Usage;
            }

            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var name = parse.GetValue(repository)!;

                // Without --ref the repository's own default branch, which the server knows and this machine does not.
                var target = parse.GetValue(gitRef) is { Length: > 0 } given
                    ? given
                    : (await session.Client.GetRepositoryAsync(name, cancel)).Value.DefaultBranch ?? "main";
                var started = await session.Client.TriggerAsync(name, new TriggerRequest(target, parse.GetValue(sha), inputs), parse.GetValue(idempotencyKey), cancel);
                if (parse.GetValue(wait))
                {
                    if (!session.Json)
                    {
                        await session.Out.WriteLineAsync(ServerViews.Headline(started.Value));
                    }

                    return await RunFollower.FollowAsync(session, started, cancel);
                }

                await (session.Json ? session.WriteJsonAsync(started.Json) : session.Out.WriteLineAsync(ServerViews.Headline(started.Value)));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }
}
