using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn cancel RUN</c>: asks the server to stop a run; its running jobs are stopped, the rest never start.</summary>
internal static class CancelCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var command = server.AddTo(new Command("cancel", "Cancel a run that has not ended") { run });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var answer = await session.Client.CancelRunAsync(parse.GetValue(run), cancel);
            var pending = answer.Value.CancelRequested && !ServerViews.IsFinished(answer.Value.Status) ? ", cancel requested" : "";
            await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync(ServerViews.Headline(answer.Value) + pending));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
