using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn workers add|list|pause|resume|remove</c>: the machines a server lets run jobs over HTTP, each with a
/// worker token of its own (an admin's commands). A worker's token is printed once, when it is added.</summary>
internal static class WorkersCommand
{
    public static Command Create(CancellationToken cancellation) =>
        new("workers", "Add, list, pause, resume and remove the workers that run jobs over HTTP (for admins)")
        {
            Add(cancellation),
            List(cancellation),
            Pause(paused: true, cancellation),
            Pause(paused: false, cancellation),
            Remove(cancellation),
        };

    private static Argument<string> Name(string description) => new("NAME") { Description = description };

    private static Command Add(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = Name("The worker's name: lower-case letters, digits, '.', '_' and '-'");
        var labels = new Option<string?>("--labels")
        {
            Description = "Labels the worker may offer, comma-separated (default: none, so it takes only jobs that ask for no label)",
            HelpName = "LABEL,LABEL",
        };
        var command = server.AddTo(new Command("add", "Add a worker and print its token, once: the server cannot show it again") { name, labels });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var given = (parse.GetValue(labels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var added = await session.Client.AddWorkerAsync(new AddWorkerRequest(parse.GetValue(name)!, given), cancel);
            var worker = added.Value;
            await session.Error.WriteLineAsync(
                $"added worker {worker.Name} ({(worker.Labels.Count == 0 ? "no labels" : "labels " + string.Join(", ", worker.Labels))}); its token is shown only now:");
            await (session.Json ? session.WriteJsonAsync(added.Json) : session.Out.WriteLineAsync(worker.Token));
            await session.Error.WriteLineAsync(WorkerViews.Advice(session.Client.Connection.Server));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List the workers: labels, connected or when last seen, jobs running now, version, paused"));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var workers = await session.Client.ListWorkersAsync(cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(workers.Json);
            }
            else if (workers.Value.Count == 0)
            {
                await session.Out.WriteLineAsync("no workers yet (add one with cairn workers add NAME)");
            }
            else
            {
                await session.Out.WriteLineAsync(WorkerViews.Workers(workers.Value, session.Time.GetUtcNow(), session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Pause(bool paused, CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = Name(paused ? "The worker to pause" : "The worker to resume");
        var command = server.AddTo(paused
            ? new Command("pause", "Pause a worker: it takes no new jobs and finishes those it has") { name }
            : new Command("resume", "Let a paused worker take jobs again") { name });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var changed = await session.Client.SetWorkerPausedAsync(parse.GetValue(name)!, paused, cancel);
            await (session.Json
                ? session.WriteJsonAsync(changed.Json)
                : session.Out.WriteLineAsync($"{(paused ? "paused" : "resumed")} worker {changed.Value.Name} ({WorkerViews.State(changed.Value, session.Time.GetUtcNow())})"));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Remove(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = Name("The worker to remove; its token stops working at once, and jobs it holds are requeued when their leases expire");
        var command = server.AddTo(new Command("remove", "Remove a worker") { name });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var worker = parse.GetValue(name)!;
            await session.Client.RemoveWorkerAsync(worker, cancel);
            await session.Out.WriteLineAsync(session.Json ? JsonPages.Done("removed", ("name", worker)) : $"removed worker {worker}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
