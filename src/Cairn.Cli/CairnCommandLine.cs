using System.CommandLine;
using System.Runtime.InteropServices;
using Cairn.Cli.Commands;

namespace Cairn.Cli;

/// <summary>The <c>cairn</c> command: its sub-commands, usage errors (exit 2), and Ctrl-C / SIGTERM handling.</summary>
internal static class CairnCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var signals = new SignalEscalation();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signals.OnSignal);

        var root = new RootCommand("Cairn: pipelines as code, run on this machine or on a Cairn server")
        {
            ValidateCommand.Create(),
            PodSpecCommand.Create(),
            RunCommand.Create(signals.Cancel, signals.Kill),
            WorkerCommand.Create(signals.Cancel, signals.Kill),
            ServerCommand.Create(signals.Cancel, signals.Kill),
            SchemaCommand.Create(),
            RepoCommand.Create(signals.Cancel),
            TrackerCommand.Create(signals.Cancel),
            TriggerCommand.Create(signals.Cancel),
            RunsCommand.Create(signals.Cancel),
            ShowCommand.Create(signals.Cancel),
            CancelCommand.Create(signals.Cancel),
            ApprovalCommands.Approve(signals.Cancel),
            ApprovalCommands.Reject(signals.Cancel),
            RerunCommand.Create(signals.Cancel),
            LogsCommand.Create(signals.Cancel),
            ArtifactsCommand.Create(signals.Cancel),
            EventsCommand.Create(signals.Cancel),
            SecretCommand.Create(signals.Cancel),
            AuditCommand.Create(signals.Cancel),
            UserCommand.Create(signals.Cancel),
            UserCommand.WhoAmI(signals.Cancel),
            MemberCommand.Members(signals.Cancel),
            MemberCommand.Teams(signals.Cancel),
            TokenCommand.Create(signals.Cancel),
            WorkersCommand.Create(signals.Cancel),
            BackupCommand.Backup(signals.Cancel),
            BackupCommand.Restore(signals.Cancel),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Try 'cairn --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever went wrong is said in a sentence; the stack is there for those who ask for it.
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            if (Environment.GetEnvironmentVariable("CAIRN_DEBUG") == "1")
            {
                await Console.Error.WriteLineAsync(ex.ToString());
            }

            return ExitCodes.Failed;
        }
    }
}
