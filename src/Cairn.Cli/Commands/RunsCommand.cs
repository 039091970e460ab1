using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn runs</c>: the server's runs, newest first, one page at a time.</summary>
internal static class RunsCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.RepositoryFilter("Only this repository's runs");
        var status = ServerArguments.OneOf("--status", "Only runs with this status", "waiting", "running", "succeeded", "failed", "cancelled");
        var branch = new Option<string?>("--branch") { Description = "Only runs of this branch", HelpName = "BRANCH" };
        var limit = ServerArguments.Limit(20);
        var cursor = ServerArguments.Cursor();

        var command = server.AddTo(new Command("runs", "List the server's runs, newest first") { repository, status, branch, limit, cursor });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListRunsAsync(
                parse.GetValue(repository), parse.GetValue(status), parse.GetValue(branch), parse.GetValue(cursor), parse.GetValue(limit), cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("no runs");
            }
            else
            {
                await session.Out.WriteLineAsync(ServerViews.Runs(page.Value.Items, session.Time.GetUtcNow(), session.Color));
                foreach (var waiting in page.Value.Items.Where(r => r.PendingReason is not null))
                {
                    await session.Out.WriteLineAsync(ServerViews.Waiting(waiting));
                }

                if (page.Value.Next is { } next)
                {
                    await session.Out.WriteLineAsync($"more: cairn runs --cursor {next}");
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
