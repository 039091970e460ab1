using System.Net;
using Cairn.Core.Artifacts;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>One attempt's stash over HTTP. Downloads stream to the caller; uploads stream from the caller's seekable tar
/// (a file the collector wrote), read again from its start when a try fails on the way. A refusal of the server
/// (413/422 with <see cref="WorkerArtifactPaths.Refused"/>) is an <see cref="ArtifactRefusedException"/> with its sentence.</summary>
public sealed class RemoteJobStash(WorkerConnection connection, Guid leaseId, long jobId, string? saveScope) : IJobStash
{
    /// <summary>How long a transfer may take beyond a call's time limit.</summary>
    private static readonly TimeSpan Transfer = TimeSpan.FromHours(2);

    /// <summary>How long calls are tried again before the attempt fails on it.</summary>
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(5);

    public string? SaveScope => saveScope;

    public async Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(needs);
        if (needs.Count == 0)
        {
            return [];
        }

        var (_, answer) = await connection.CallAsync(
            $"artifacts needed by job {jobId}", HttpMethod.Post, WorkerArtifactPaths.Needed(leaseId),
            WorkerConnection.Json(new NeededArtifactsRequest(needs), WorkerArtifactJson.Default.NeededArtifactsRequest),
            WorkerArtifactJson.Default.NeededArtifactsAnswer, TimeSpan.Zero, GiveUp, cancellationToken);
        return answer?.Sets ?? [];
    }

    public Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        return connection.OpenStreamAsync($"artifacts of job {set.JobName} for job {jobId}", WorkerArtifactPaths.Set(leaseId, set.Id), GiveUp, cancellationToken);
    }

    public async Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        await using var spool = tar.CanSeek ? null : await SpoolAsync(tar, cancellationToken);
        var body = spool ?? tar;
        try
        {
            var (_, summary) = await connection.SendStreamAsync(
                $"artifacts of job {jobId}", HttpMethod.Put, WorkerArtifactPaths.Upload(leaseId, expireIn), body, WorkerArtifactPaths.TarType,
                WorkerArtifactJson.Default.ArtifactSummary, Transfer, GiveUp, cancellationToken);
            return summary ?? throw new WorkerCallException(WorkerCallClass.HttpStatus, HttpStatusCode.NoContent, "the server kept the artifacts but said nothing of them");
        }
        catch (WorkerCallException failure) when (Refused(failure))
        {
            throw new ArtifactRefusedException(failure.Detail, failure);
        }
    }

    public async Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken)
    {
        var (_, hit) = await connection.CallAsync(
            $"cache {key} for job {jobId}", HttpMethod.Post, WorkerArtifactPaths.FindCache(leaseId),
            WorkerConnection.Json(new CacheFindRequest(key, restoreKeys), WorkerArtifactJson.Default.CacheFindRequest),
            WorkerArtifactJson.Default.CacheHit, TimeSpan.Zero, GiveUp, cancellationToken);
        return hit;
    }

    public Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return connection.OpenStreamAsync($"cache {hit.Key} for job {jobId}", WorkerArtifactPaths.Cache(leaseId, hit.Id), GiveUp, cancellationToken);
    }

    public async Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        if (saveScope is null)
        {
            return null;
        }

        await using var spool = tar.CanSeek ? null : await SpoolAsync(tar, cancellationToken);
        var body = spool ?? tar;
        try
        {
            var (_, saved) = await connection.SendStreamAsync(
                $"cache {key} of job {jobId}", HttpMethod.Put, WorkerArtifactPaths.SaveCache(leaseId, key), body, WorkerArtifactPaths.TarType,
                WorkerArtifactJson.Default.CacheSaved, Transfer, GiveUp, cancellationToken);
            return saved;
        }
        catch (WorkerCallException failure) when (Refused(failure))
        {
            throw new ArtifactRefusedException(failure.Detail, failure);
        }
    }

    /// <summary>A tar that cannot seek (a job's collector writes through a pipe) copied into a temporary file of this
    /// process's own, deleted when closed, so that an upload can start again from its beginning; never in memory.</summary>
    private static async Task<FileStream> SpoolAsync(Stream tar, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cairn-upload-{Guid.NewGuid():N}.tar");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var spool = new FileStream(path, options);
        try
        {
            await tar.CopyToAsync(spool, cancellationToken);
            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    private static bool Refused(WorkerCallException failure) =>
        failure.Status is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity
        && string.Equals(failure.ProblemType, WorkerArtifactPaths.Refused, StringComparison.Ordinal);
}
