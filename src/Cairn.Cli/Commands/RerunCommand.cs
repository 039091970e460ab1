using System.CommandLine;
using System.Globalization;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn rerun RUN [--failed]</c>: a new run of the same commit and pipeline, of every job or only of
/// those that did not succeed.</summary>
internal static class RerunCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var failed = new Option<bool>("--failed") { Description = "Run again only the jobs that did not succeed (and what depends on them)" };
        var wait = new Option<bool>("--wait") { Description = "Follow the new run until it ends; exit 0 if it succeeded, 1 otherwise" };
        var command = server.AddTo(new Command("rerun", "Run a finished run again, as a new run") { run, failed, wait });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var original = parse.GetValue(run);
            var answer = await session.Client.RerunAsync(original, parse.GetValue(failed), cancel);
            var line = ServerViews.Headline(answer.Value) + string.Create(CultureInfo.InvariantCulture, $" (a rerun of id {original})");
            if (parse.GetValue(wait))
            {
                if (!session.Json)
                {
                    await session.Out.WriteLineAsync(line);
                }

                return await RunFollower.FollowAsync(session, answer, cancel);
            }

            await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync(line));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
