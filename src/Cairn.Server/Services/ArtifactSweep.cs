using Cairn.Core.Artifacts;
using Cairn.Core.Repositories;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>The artifacts' and caches' share of the retention sweep: forgets expired artifact sets a batch at a time,
/// evicts each repository's least recently used caches past its limit, then deletes the blobs the index no longer names
/// (expired, replaced, evicted, or their run removed), forgetting each key once its blob is gone.</summary>
internal sealed partial class ArtifactSweep(
    IArtifactIndex? artifacts, ICacheIndex? caches, IBlobStore blobs, IRepositoryStore repositories, ArtifactSettings settings, TimeProvider time,
    ILogger<ArtifactSweep> log)
{
    public const int Batch = 100;

    /// <summary>One pass; answers what it did.</summary>
    public async Task<ArtifactSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        if (artifacts is null || caches is null)
        {
            return new ArtifactSweepResult(0, 0, 0);
        }

        var expired = 0;
        while (await artifacts.ExpireArtifactSetsAsync(time.GetUtcNow(), Batch, cancellationToken) is var count and > 0)
        {
            expired += count;
            if (count < Batch)
            {
                break;
            }
        }

        var evicted = 0;
        var names = (await repositories.ListRepositoriesAsync(cancellationToken)).Select(r => r.Name).Append(CacheScopes.LocalRepository);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            evicted += await caches.EvictCachesAsync(name, settings.MaxCacheBytes, cancellationToken);
        }

        var deleted = 0;
        while (await artifacts.TakeBlobDeletionsAsync(Batch, cancellationToken) is { Count: > 0 } keys)
        {
            var gone = new List<string>(keys.Count);
            foreach (var key in keys)
            {
                try
                {
                    await blobs.DeleteAsync(key, cancellationToken);
                    gone.Add(key);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HttpRequestException)
                {
                    LogDeleteFailed(log, key, ex.Message);
                }
            }

            await artifacts.ForgetBlobDeletionsAsync(gone, cancellationToken);
            deleted += gone.Count;
            if (gone.Count < keys.Count || keys.Count < Batch)
            {
                break;
            }
        }

        if (expired + evicted + deleted > 0)
        {
            LogSwept(log, expired, evicted, deleted, blobs.Description);
        }

        return new ArtifactSweepResult(expired, evicted, deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "artifacts: {Expired} expired sets forgotten, {Evicted} caches evicted, {Deleted} blobs deleted from {Where}")]
    private static partial void LogSwept(ILogger logger, int expired, int evicted, int deleted, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the blob {Key} could not be deleted, trying again later: {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string key, string reason);
}

/// <summary>What one pass of <see cref="ArtifactSweep"/> did.</summary>
internal sealed record ArtifactSweepResult(int Expired, int Evicted, int Deleted);
