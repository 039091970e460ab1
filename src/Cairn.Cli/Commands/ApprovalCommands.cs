using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn approve RUN</c> and <c>cairn reject RUN [--reason TEXT]</c>: what a maintainer does with a run that
/// waits for approval (a pull request from a fork). Approving starts it; rejecting ends it cancelled.</summary>
internal static class ApprovalCommands
{
    public static Command Approve(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var command = server.AddTo(new Command("approve", "Start a run that waits for approval (a pull request from a fork)") { run });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var answer = await session.Client.ApproveRunAsync(parse.GetValue(run), cancel);
            await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync(ServerViews.Headline(answer.Value) + " (approved)"));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    public static Command Reject(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var reason = new Option<string?>("--reason") { Description = "Why, as the run's jobs and the forge's status will say", HelpName = "TEXT" };
        var command = server.AddTo(new Command("reject", "End a run that waits for approval, as cancelled") { run, reason });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var answer = await session.Client.RejectRunAsync(parse.GetValue(run), parse.GetValue(reason), cancel);
            var why = answer.Value.CancelReason is { Length: > 0 } said ? $" ({said})" : " (rejected)";
            await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync(ServerViews.Headline(answer.Value) + why));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
