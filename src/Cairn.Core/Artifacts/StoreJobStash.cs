using Cairn.Core.Pipelines;
using Cairn.Core.Runs;

namespace Cairn.Core.Artifacts;

/// <summary>One attempt's stash on the store's index and the blob store.</summary>
internal sealed class StoreJobStash(StashParts parts, JobLease lease, RunRecord run) : IJobStash
{
    private CacheScopes? _scopes;

    public string? SaveScope => CacheScopes.For(run, defaultBranch: null).Save;

    public async Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(needs);
        var found = new List<ArtifactSet>();
        if (needs.Count == 0)
        {
            return found;
        }

        var own = await parts.Artifacts.ListArtifactSetsAsync(run.Id, cancellationToken);
        var reused = await ReusedJobsAsync(cancellationToken);
        foreach (var need in needs)
        {
            if (reused.TryGetValue(need, out var earlier))
            {
                var sets = await parts.Artifacts.ListArtifactSetsAsync(earlier.RunId, cancellationToken);
                found.AddRange(sets.Where(s => s.JobId == earlier.JobId).Select(s => new ArtifactSet(s.Id, need, s.Files, s.Bytes)));
                continue;
            }

            found.AddRange(own.Where(s => string.Equals(s.JobName, need, StringComparison.Ordinal)).Select(s => new ArtifactSet(s.Id, need, s.Files, s.Bytes)));
        }

        return found;
    }

    public async Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        var record = await parts.Artifacts.GetArtifactSetAsync(set.Id, cancellationToken);
        if (record is null || !await BelongsAsync(record, cancellationToken))
        {
            throw new ArtifactRefusedException($"the artifacts of job '{set.JobName}' are not this run's or have expired");
        }

        return await parts.Blobs.OpenReadAsync(record.Blob, 0, null, cancellationToken)
            ?? throw new IOException($"the artifacts of job '{set.JobName}' are missing from {parts.Blobs.Description}");
    }

    public async Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var settings = parts.Settings;
        var used = run.Repository is { } repository ? await parts.Artifacts.RepositoryArtifactBytesAsync(repository, cancellationToken) : 0;
        var room = Math.Max(0, settings.MaxRepositoryBytes - used);
        var limit = Math.Min(settings.MaxJobBytes, room);
        string OverLimit() => room < settings.MaxJobBytes
            ? $"the artifacts are bigger than the {ByteSize.Approximate(room)} left of the repository's {ByteSize.Approximate(settings.MaxRepositoryBytes)} for artifacts"
            : $"the artifacts are bigger than the {ByteSize.Approximate(settings.MaxJobBytes)} a job may keep";

        var key = BlobKeys.Artifacts(run.Id, lease.JobId, lease.Attempt);
        var files = await PutAsync(key, (blob, ct) => ArtifactPacker.PackAsync(tar, blob, limit, OverLimit, ct), cancellationToken);
        var now = parts.Time.GetUtcNow();
        var expiresAt = now + (expireIn ?? settings.DefaultExpiry);
        var regular = files.Count(f => f.LinkTarget is null);
        var bytes = files.Sum(f => f.Size);
        try
        {
            await parts.Artifacts.AddArtifactSetAsync(
                new NewArtifactSet(run.Id, lease.JobId, lease.Job.Name, lease.Attempt, run.Repository, key, files.Count, bytes, now, expiresAt),
                files,
                cancellationToken);
        }
        catch
        {
            await parts.Blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        return new ArtifactSummary(regular, bytes, expiresAt);
    }

    public async Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(restoreKeys);
        var scopes = await ScopesAsync(cancellationToken);
        if (scopes.Read.Count == 0)
        {
            return null;
        }

        var entry = await parts.Caches.FindCacheAsync(scopes.Repository, scopes.Read, key, restoreKeys, parts.Time.GetUtcNow(), cancellationToken);
        return entry is null ? null : new CacheHit(entry.Id, entry.Key, entry.Scope, entry.Bytes, string.Equals(entry.Key, key, StringComparison.Ordinal));
    }

    public async Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var scopes = await ScopesAsync(cancellationToken);
        var entries = await parts.Caches.ListCachesAsync(scopes.Repository, cancellationToken);
        var entry = entries.FirstOrDefault(e => e.Id == hit.Id && scopes.Read.Contains(e.Scope, StringComparer.Ordinal))
            ?? throw new ArtifactRefusedException($"the cache '{hit.Key}' is not one this run may read, or it was evicted");
        return await parts.Blobs.OpenReadAsync(entry.Blob, 0, null, cancellationToken)
            ?? throw new IOException($"the cache '{hit.Key}' is missing from {parts.Blobs.Description}");
    }

    public async Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tar);
        if (SaveScope is not { } scope)
        {
            return null;
        }

        var repository = run.Repository ?? CacheScopes.LocalRepository;
        var limit = parts.Settings.MaxCacheBytes;
        var blob = BlobKeys.Cache();

        // The blob store reads the tar itself: nothing sits between them but the count against the limit.
        var counted = new CountingStream(
            tar, null, limit, () => new ArtifactRefusedException($"the cache is bigger than the repository's {ByteSize.Approximate(limit)} for caches"));
        try
        {
            await parts.Blobs.PutAsync(blob, counted, cancellationToken);
        }
        catch
        {
            await parts.Blobs.DeleteAsync(blob, CancellationToken.None);
            throw;
        }

        var bytes = counted.Count;

        CacheEntryRecord? added;
        try
        {
            added = await parts.Caches.AddCacheAsync(new NewCacheEntry(repository, scope, key, blob, bytes, parts.Time.GetUtcNow()), cancellationToken);
        }
        catch
        {
            await parts.Blobs.DeleteAsync(blob, CancellationToken.None);
            throw;
        }

        if (added is null)
        {
            await parts.Blobs.DeleteAsync(blob, CancellationToken.None);
            return null;
        }

        await parts.Caches.EvictCachesAsync(repository, limit, cancellationToken);
        return new CacheSaved(key, scope, bytes);
    }

    /// <summary>Writes a blob from what <paramref name="produce"/> writes to the stream it is given, the two side by side
    /// (<see cref="TarStreams.PipeAsync{T}"/>): nothing is held whole, and a failure of either leaves no blob.</summary>
    private async Task<T> PutAsync<T>(string key, Func<Stream, CancellationToken, Task<T>> produce, CancellationToken cancellationToken)
    {
        T result = default!;
        try
        {
            await TarStreams.PipeAsync(
                async (blob, ct) => result = await produce(blob, ct),
                async (blob, ct) =>
                {
                    await parts.Blobs.PutAsync(key, blob, ct);
                    return 0;
                },
                cancellationToken);
        }
        catch
        {
            await parts.Blobs.DeleteAsync(key, CancellationToken.None);
            throw;
        }

        return result;
    }

    private async Task<CacheScopes> ScopesAsync(CancellationToken cancellationToken)
    {
        if (_scopes is not null)
        {
            return _scopes;
        }

        string? defaultBranch = null;
        if (parts.Repositories is { } repositories && run.Repository is { } name)
        {
            defaultBranch = (await repositories.GetRepositoryAsync(name, cancellationToken))?.DefaultBranch;
        }

        return _scopes = CacheScopes.For(run, defaultBranch);
    }

    /// <summary>This run's jobs that a rerun took over from an earlier run, by name, with where they came from.</summary>
    private async Task<Dictionary<string, (long RunId, long JobId)>> ReusedJobsAsync(CancellationToken cancellationToken)
    {
        var reused = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        if (parts.Runs is not { } runs)
        {
            return reused;
        }

        foreach (var job in await runs.GetJobsAsync(run.Id, cancellationToken))
        {
            if (job.ReusedFrom is { } from && await runs.GetJobAsync(from, cancellationToken) is { } earlier)
            {
                reused[job.Name] = (earlier.RunId, earlier.Id);
            }
        }

        return reused;
    }

    private async Task<bool> BelongsAsync(ArtifactSetRecord set, CancellationToken cancellationToken) =>
        set.RunId == run.Id || (await ReusedJobsAsync(cancellationToken)).Values.Any(r => r.JobId == set.JobId);
}
