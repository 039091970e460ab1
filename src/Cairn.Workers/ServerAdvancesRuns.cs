using Cairn.Core.Engine;

namespace Cairn.Workers;

/// <summary>Moves no run on: over HTTP the server does it in the call that completes the lease.</summary>
public sealed class ServerAdvancesRuns : IRunAdvancer
{
    public Task AdvanceAsync(long runId, CancellationToken cancellationToken) => Task.CompletedTask;
}
