using System.Threading.Channels;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;

namespace Cairn.Server.Services;

/// <summary>Wakes the event planner at once when a delivery was journaled here (other replicas find it by polling).</summary>
public sealed class PlanningSignal : WakeSignal;

/// <summary>Wakes the status delivery at once when statuses were queued here.</summary>
public sealed class StatusSignal : WakeSignal;

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

    public Core.Publishing.IPullRequestForge PullRequests(ForgeKind kind) => catalog.PullRequests(kind);
}
