using System.Threading.Channels;

namespace Cairn.Server.Services;

/// <summary>A wake-up without a key: <see cref="Wake"/> makes a waiter (the one waiting now, or the next to come) return at
/// once; wakes that come while nobody has taken the last one count as one. Each background loop has its own type of it.</summary>
public abstract class WakeSignal
{
    private readonly Channel<bool> wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Wake() => wakes.Writer.TryWrite(true);

    /// <summary>Returns on a wake-up or after <paramref name="maxWait"/>.</summary>
    public async Task WaitAsync(TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(maxWait);
        try
        {
            await wakes.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
