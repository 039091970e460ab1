using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn audit</c>: what was done with secrets, newest first: which run and job read which, and who set
/// or removed them (never a value); and who approved or rejected which run.</summary>
internal static class AuditCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var limit = ServerArguments.Limit(20);
        var cursor = ServerArguments.Cursor();
        var command = server.AddTo(new Command("audit", "List what was done with secrets (read by a job, set, removed) and runs approved or rejected, newest first")
        {
            limit, cursor,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListAuditAsync(parse.GetValue(cursor), parse.GetValue(limit), cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("nothing in the audit log yet");
            }
            else
            {
                await session.Out.WriteLineAsync(SecretViews.Audit(page.Value.Items, session.Time.GetUtcNow(), session.Color));
                if (page.Value.Next is { } next)
                {
                    await session.Out.WriteLineAsync($"more: cairn audit --cursor {next}");
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
