using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn events</c>: the deliveries the server received and what became of each: the first place to look
/// when a push started no run.</summary>
internal static class EventsCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.RepositoryFilter("Only this repository's events");
        var limit = ServerArguments.Limit(20);
        var cursor = ServerArguments.Cursor();
        var command = server.AddTo(new Command("events", "List the webhook deliveries and other triggers the server received, newest first")
        {
            repository, limit, cursor,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListEventsAsync(parse.GetValue(repository), parse.GetValue(cursor), parse.GetValue(limit), cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("no events");
            }
            else
            {
                await session.Out.WriteLineAsync(ServerViews.Events(page.Value.Items, session.Time.GetUtcNow(), session.Color));
                if (page.Value.Next is { } next)
                {
                    await session.Out.WriteLineAsync($"more: cairn events --cursor {next}");
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
