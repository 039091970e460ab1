using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn show RUN</c>: a run's header, its errors, and each job with its steps.</summary>
internal static class ShowCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var command = server.AddTo(new Command("show", "Show a run: its jobs, their steps, and why they failed") { run });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var answer = await session.Client.GetRunAsync(parse.GetValue(run), cancel);
            await (session.Json
                ? session.WriteJsonAsync(answer.Json)
                : session.Out.WriteLineAsync(ServerViews.Run(answer.Value, session.Time.GetUtcNow(), session.Color)));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
