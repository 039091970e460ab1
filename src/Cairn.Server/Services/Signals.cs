using System.Threading.Channels;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;

namespace Cairn.Server.Services;

/// <summary>Wakes the event planner at once when a delivery was journaled here (other replicas find it by polling).</summary>
public sealed class PlanningSignal
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

/// <summary>The forge implementations, by kind.</summary>
public interface IForgeDirectory
{
    IForge Get(ForgeKind kind);
}

/// <summary>Repositories added while the server runs, for the scheduler to read their default branch's crons.</summary>
public sealed class RepositoryRegistrations
{
    private readonly Channel<string> added = Channel.CreateUnbounded<string>();

    public void Added(RepositoryRecord repository) => added.Writer.TryWrite(repository?.Name ?? throw new ArgumentNullException(nameof(repository)));

    public ChannelReader<string> Reader => added.Reader;
}

/// <summary>The forges of <see cref="Forges.ForgeCatalog"/>.</summary>
public sealed class ForgeDirectory(Forges.ForgeCatalog catalog) : IForgeDirectory
{
    public IForge Get(ForgeKind kind) => catalog.Get(kind);
}
