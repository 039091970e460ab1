namespace Cairn.Core.Artifacts;

/// <summary>Where a worker keeps one job attempt's artifacts and caches and finds those it brings in: bound to the
/// attempt (its run, job and attempt) and to the run's cache scopes (<see cref="CacheScopes"/>). On the store for the
/// server's own workers and <c>cairn run</c>; over HTTP for a worker that holds only its token.</summary>
/// <remarks>Every stream is read or written once, front to back: nothing is held in memory whole.</remarks>
public interface IJobStash
{
    /// <summary>The artifact sets the jobs named in <paramref name="needs"/> kept in this run (each job's latest attempt
    /// that kept any; every expansion of a matrix job), in the order of <paramref name="needs"/>. Expired sets are left out.</summary>
    Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken);

    /// <summary>One set's files as a tar stream (the caller disposes it).</summary>
    Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken);

    /// <summary>Keeps this attempt's artifacts from a tar (relative names, regular files, folders and links that stay
    /// inside; checked again here), replacing what an earlier attempt of the job kept.</summary>
    /// <param name="expireIn">Null: the server's default.</param>
    /// <exception cref="ArtifactRefusedException">Too big for the job's or the repository's limit, or an entry that is
    /// not allowed: the message says which, for the job's log.</exception>
    Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken);

    /// <summary>The cache to restore: the entry whose key is <paramref name="key"/>, else the newest whose key starts with
    /// one of <paramref name="restoreKeys"/> (tried in order), looking in the run's readable scopes in order. Null when
    /// nothing matches. A hit counts as a use for the LRU limit.</summary>
    Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken);

    /// <summary>A cache entry's content as a tar stream (the caller disposes it).</summary>
    Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken);

    /// <summary>The scope this run saves caches in; null when it may not save any (a pull request from a fork).</summary>
    string? SaveScope { get; }

    /// <summary>Saves a cache entry under <paramref name="key"/> in <see cref="SaveScope"/>. Null when the scope already
    /// has that key (another job saved it first: caches are never overwritten) or when the run may not save.</summary>
    /// <exception cref="ArtifactRefusedException">Bigger than the repository's cache limit allows at all.</exception>
    Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken);
}

/// <summary>The artifacts one job attempt kept.</summary>
public sealed record ArtifactSet(long Id, string JobName, int Files, long Bytes);

/// <summary>What keeping a job's artifacts came to.</summary>
public sealed record ArtifactSummary(int Files, long Bytes, DateTimeOffset ExpiresAt)
{
    /// <summary>Where they are when not kept until <see cref="ExpiresAt"/> (<c>cairn run</c> leaves them in the
    /// workspace); null: kept by the stash.</summary>
    public string? Where { get; init; }
}

/// <summary>A cache entry found for a job. <paramref name="Exact"/>: its key is the one asked for, so nothing is saved after
/// the job.</summary>
public sealed record CacheHit(long Id, string Key, string Scope, long Bytes, bool Exact);

/// <summary>A cache entry saved.</summary>
public sealed record CacheSaved(string Key, string Scope, long Bytes);

/// <summary>A stash refused what it was given; the message is a sentence for the job's log.</summary>
public sealed class ArtifactRefusedException : Exception
{
    public ArtifactRefusedException()
    {
    }

    public ArtifactRefusedException(string message)
        : base(message)
    {
    }

    public ArtifactRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Hands each leased attempt its stash.</summary>
public interface IJobStashes
{
    /// <summary>The stash of the attempt under <paramref name="lease"/> of <paramref name="run"/>.</summary>
    IJobStash For(Runs.JobLease lease, Runs.RunRecord run);
}
