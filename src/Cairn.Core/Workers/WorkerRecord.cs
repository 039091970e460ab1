namespace Cairn.Core.Workers;

/// <summary>A worker identity an administrator made (<c>cairn workers add</c>): the machine that holds its token may lease
/// jobs whose labels are among <see cref="Labels"/> and make the worker calls for them, nothing else.</summary>
/// <param name="Labels">The labels the worker may offer; a worker process may offer fewer, never more. Empty: it takes only
/// jobs that ask for no label.</param>
/// <param name="TokenId">The public part of its token (<see cref="WorkerTokens"/>); the secret part is kept only as a hash.</param>
public sealed record WorkerRecord(
    long Id,
    string Name,
    IReadOnlyList<string> Labels,
    string TokenId,
    byte[] TokenHash,
    bool Paused,
    DateTimeOffset CreatedAt,
    string? CreatedBy)
{
    /// <summary>When the worker last called the server; null if it never has.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>The version the worker said it runs, on its last call.</summary>
    public string? Version { get; init; }

    /// <summary>The address it last called from, as the server saw it.</summary>
    public string? Address { get; init; }

    /// <summary>Jobs running now under a lease this worker holds (filled by listings; 0 elsewhere).</summary>
    public int RunningJobs { get; init; }
}

/// <summary>A worker to be stored: its name, labels and the hash of its new token.</summary>
public sealed record NewWorker(string Name, IReadOnlyList<string> Labels, string TokenId, byte[] TokenHash, DateTimeOffset CreatedAt, string? CreatedBy);
