namespace Cairn.Core.Runs;

/// <summary>What the server knows of the workers that could take its jobs: how many jobs at once its own workers run
/// and the labels they offer, and the registered workers over HTTP (<see cref="Registered"/>). Direct-store workers of
/// other processes are registered nowhere, so nothing can be said of them.</summary>
public sealed record LocalWorkers(int Slots, IReadOnlyList<string> Labels)
{
    /// <summary>The workers an administrator registered (<c>cairn workers add</c>), with the labels each may offer and
    /// whether it is connected and taking jobs.</summary>
    public IReadOnlyList<RegisteredWorker> Registered { get; init; } = [];
}

/// <summary>A registered worker as a pending reason speaks of it.</summary>
public sealed record RegisteredWorker(string Name, IReadOnlyList<string> Labels, bool Connected, bool Paused)
{
    /// <summary>Whether it may offer every one of <paramref name="labels"/>.</summary>
    public bool Has(IReadOnlyList<string> labels) => labels.All(l => Labels.Contains(l, StringComparer.Ordinal));

    /// <summary>Whether it takes jobs now: connected and not paused.</summary>
    public bool Taking => Connected && !Paused;
}
