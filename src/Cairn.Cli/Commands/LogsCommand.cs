using System.CommandLine;
using System.Globalization;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn logs RUN --job NAME|ID [--follow]</c>: a job's log as the server has it now, or followed live to the
/// job's end.</summary>
internal static class LogsCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var job = new Option<string?>("--job") { Description = "The job: its name (as cairn show lists it) or its id; not needed when the run has one job", HelpName = "NAME|ID" };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Print lines as they come until the job ends, then exit 0 if it succeeded, 1 otherwise (with --json: one JSON object a line, the job's end last)",
        };
        var command = server.AddTo(new Command("logs", "Print a job's log, or follow it live with --follow") { run, job, follow });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var runId = parse.GetValue(run);
            var answer = await session.Client.GetRunAsync(runId, cancel);
            var (chosen, problem) = Choose(answer.Value, parse.GetValue(job));
            if (chosen is null)
            {
                await session.Error.WriteLineAsync($"error: {problem}");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(follow))
            {
                return await LogFollower.FollowAsync(session, runId, chosen, cancel);
            }

            var log = await session.Client.GetJobLogAsync(runId, chosen.Id, cancel);
            if (session.Json)
            {
                await session.Out.WriteLineAsync(JsonPages.Log(runId, chosen.Id, chosen.Name, log));
            }
            else
            {
                await session.Out.WriteAsync(log);
                if (log.Length > 0 && !log.EndsWith('\n'))
                {
                    await session.Out.WriteLineAsync();
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    /// <summary>The job named or numbered <paramref name="wanted"/> (a name first: a job may be called "2"), or the
    /// only one when nothing is asked; otherwise why not, with the jobs there are.</summary>
    private static (JobView? Job, string? Problem) Choose(RunView run, string? wanted)
    {
        var jobs = run.Jobs ?? [];
        var names = jobs.Count == 0 ? "it has none" : "its jobs: " + string.Join(", ", jobs.Select(j => $"{j.Name} (id {j.Id.ToString(CultureInfo.InvariantCulture)})"));
        if (wanted is null)
        {
            return jobs.Count == 1 ? (jobs[0], null) : (null, $"say which job of run {run.Id.ToString(CultureInfo.InvariantCulture)} with --job NAME or ID; {names}");
        }

        var match = jobs.FirstOrDefault(j => j.Name == wanted)
            ?? (long.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? jobs.FirstOrDefault(j => j.Id == id) : null);
        return match is not null
            ? (match, null)
            : (null, $"run {run.Id.ToString(CultureInfo.InvariantCulture)} has no job '{wanted}'; {names}");
    }
}
