using System.CommandLine;
using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>The <c>cairn</c> command: its sub-commands, usage errors (exit 2), and Ctrl-C / SIGTERM handling.</summary>
internal static class CairnCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var signals = new SignalEscalation();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signals.OnSignal);

        var root = CommandCatalog.For(args, signals);
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
