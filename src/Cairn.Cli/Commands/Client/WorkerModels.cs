namespace Cairn.Cli.Commands.Client;

/// <summary>What <c>cairn workers add</c> sends: the worker's name and the labels it may offer.</summary>
internal sealed record AddWorkerRequest(string Name, IReadOnlyList<string> Labels);

/// <summary>A worker as the server lists it: never its token.</summary>
internal sealed record WorkerView(
    string Name,
    IReadOnlyList<string> Labels,
    string? Version,
    bool Connected,
    DateTimeOffset? LastSeenAt,
    int RunningJobs,
    bool Paused,
    string? Address,
    DateTimeOffset CreatedAt,
    string? CreatedBy);

/// <summary>A worker just added: the only answer that carries its token.</summary>
internal sealed record CreatedWorkerView(string Name, IReadOnlyList<string> Labels, string Token)
{
    public override string ToString() => $"worker {Name}";
}
