using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn approve RUN</c> and <c>cairn reject RUN [--reason TEXT]</c>: what a maintainer does with a run that
/// waits for approval (a pull request from a fork). Approving starts it; rejecting ends it cancelled. With
/// <c>--job NAME [--comment TEXT]</c> they decide the gate of the run's approval job of that name instead.</summary>
internal static class ApprovalCommands
{
    public static Command Approve(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var (job, comment) = GateOptions();
        var command = server.AddTo(new Command("approve", "Start a run that waits for approval (a pull request from a fork), or with --job approve its approval job") { run, job, comment });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            if (parse.GetValue(job) is { } name)
            {
                return await DecideAsync(session, parse.GetValue(run), name, true, parse.GetValue(comment), cancel);
            }

            if (parse.GetValue(comment) is not null)
            {
                await session.Error.WriteLineAsync("error: --comment goes with --job NAME (the approval job to approve)");
                return ExitCodes.Usage;
            }

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
        var (job, comment) = GateOptions();
        var command = server.AddTo(new Command("reject", "End a run that waits for approval, as cancelled, or with --job reject its approval job") { run, reason, job, comment });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            if (parse.GetValue(job) is { } name)
            {
                return await DecideAsync(session, parse.GetValue(run), name, false, parse.GetValue(comment) ?? parse.GetValue(reason), cancel);
            }

            if (parse.GetValue(comment) is not null)
            {
                await session.Error.WriteLineAsync("error: --comment goes with --job NAME (the approval job to reject); a run's rejection takes --reason");
                return ExitCodes.Usage;
            }

            var answer = await session.Client.RejectRunAsync(parse.GetValue(run), parse.GetValue(reason), cancel);
            var why = answer.Value.CancelReason is { Length: > 0 } said ? $" ({said})" : " (rejected)";
            await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync(ServerViews.Headline(answer.Value) + why));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static (Option<string?> Job, Option<string?> Comment) GateOptions() => (
        new Option<string?>("--job") { Description = "The approval job whose gate to decide, by name", HelpName = "NAME" },
        new Option<string?>("--comment") { Description = "What to say with the decision (kept with it and in the audit log)", HelpName = "TEXT" });

    /// <summary>Finds the run's job by name and decides its gate; says what became of it.</summary>
    private static async Task<int> DecideAsync(ServerSession session, long runId, string name, bool approve, string? comment, CancellationToken cancellationToken)
    {
        var run = (await session.Client.GetRunAsync(runId, cancellationToken)).Value;
        var jobs = run.Jobs ?? [];
        if (jobs.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.Ordinal)) is not { } job)
        {
            var known = jobs.Count == 0 ? "it has none" : "its jobs: " + string.Join(", ", jobs.Select(j => j.Name));
            await session.Error.WriteLineAsync($"error: run {runId} has no job '{name}' ({known})");
            return ExitCodes.Failed;
        }

        var answer = await session.Client.DecideGateAsync(runId, job.Id, approve, new GateDecisionRequest(comment, null), cancellationToken);
        if (session.Json)
        {
            await session.WriteJsonAsync(answer.Json);
        }
        else
        {
            var decision = answer.Value;
            await session.Out.WriteLineAsync(
                $"{ServerViews.Headline(run)} · {decision.Job}: {decision.Summary}" + (decision.Decided ? $" ({decision.JobStatus})" : ""));
        }

        return ExitCodes.Succeeded;
    }
}
