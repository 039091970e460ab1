using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>What Ctrl-C and SIGTERM do, by how many have come: the first cancels the run (running steps get SIGTERM
/// and a grace period, the summary still prints); the second kills the steps' process groups at once and still lets
/// the run end properly; a third leaves immediately.</summary>
internal sealed class SignalEscalation : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly CancellationTokenSource _kill = new();
    private int _count;

    public CancellationToken Cancel => _cancel.Token;

    public CancellationToken Kill => _kill.Token;

    public void OnSignal(PosixSignalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Cancel = true;
        switch (Interlocked.Increment(ref _count))
        {
            case 1:
                Console.Error.WriteLine("cairn: stopping (again to kill running steps at once)");
                _cancel.Cancel();
                break;
            case 2:
                Console.Error.WriteLine("cairn: killing the running steps");
                _kill.Cancel();
                break;
            default:
                Environment.Exit(ExitCodes.Cancelled);
                break;
        }
    }

    public void Dispose()
    {
        _cancel.Dispose();
        _kill.Dispose();
    }
}
