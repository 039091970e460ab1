using Cairn.Core.Artifacts;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Workers;

/// <summary>The worker protocol's artifact and cache calls (<see cref="WorkerArtifactPaths"/>): each finds the lease as the
/// other lease calls do (the worker's, and running), then asks the attempt's stash on the store
/// (<see cref="IJobStashes.For"/>) — the one the server's own workers use — so what a worker over HTTP may read and keep
/// is decided in one place: its run's sets, its run's cache scopes, its job's attempt.</summary>
public sealed class WorkerArtifactCalls(
    WorkerLeases leases, IRunStore runs, IRepositoryStore repositories, ArtifactSettings limits, IJobStashes? stashes = null, IArtifactIndex? artifacts = null,
    ICacheIndex? caches = null)
{
    public async Task<IResult> NeededAsync(Caller caller, Guid leaseId, NeededArtifactsRequest? request, CancellationToken cancellationToken)
    {
        if (request?.Needs is null)
        {
            return Problems.BadRequest("send the jobs needed: {\"needs\": [\"build\"]}");
        }

        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        return stash is null
            ? refusal!
            : TypedResults.Json(new NeededArtifactsAnswer(await stash.Stash.ListNeededAsync(request.Needs, cancellationToken)), WorkerArtifactJson.Default.NeededArtifactsAnswer);
    }

    public async Task<IResult> SetAsync(Caller caller, Guid leaseId, long setId, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        if (stash is null)
        {
            return refusal!;
        }

        // Only the run's own sets: a worker cannot name its way into another run's artifacts.
        if (artifacts is null || await artifacts.GetArtifactSetAsync(setId, cancellationToken) is not { } set || set.RunId != stash.Lease.RunId)
        {
            return Problems.NotFound($"run {stash.Lease.RunId} has no artifact set {setId}");
        }

        var kept = new ArtifactSet(set.Id, set.JobName, set.Files, set.Bytes);
        return await SendTarAsync(context, await stash.Stash.OpenArtifactsAsync(kept, cancellationToken));
    }

    public async Task<IResult> UploadAsync(Caller caller, Guid leaseId, long? expireInMs, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        if (expireInMs is < 1)
        {
            return Problems.BadRequest("expireInMs: a number of milliseconds above 0, or none for the server's default");
        }

        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        if (stash is null)
        {
            return refusal!;
        }

        LiftBodyLimit(context, limits.MaxJobBytes);
        try
        {
            var summary = await stash.Stash.SaveArtifactsAsync(
                context.Request.Body, expireInMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, cancellationToken);
            return TypedResults.Json(summary, WorkerArtifactJson.Default.ArtifactSummary);
        }
        catch (ArtifactRefusedException refused)
        {
            return Refusal(refused, StatusCodes.Status422UnprocessableEntity);
        }
    }

    public async Task<IResult> FindCacheAsync(Caller caller, Guid leaseId, CacheFindRequest? request, CancellationToken cancellationToken)
    {
        if (request is null || string.IsNullOrEmpty(request.Key) || request.RestoreKeys is null)
        {
            return Problems.BadRequest("send the cache's key: {\"key\": \"…\", \"restoreKeys\": []}");
        }

        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        if (stash is null)
        {
            return refusal!;
        }

        return await stash.Stash.FindCacheAsync(request.Key, request.RestoreKeys, cancellationToken) is { } hit
            ? TypedResults.Json(hit, WorkerArtifactJson.Default.CacheHit)
            : Results.NoContent();
    }

    public async Task<IResult> CacheAsync(Caller caller, Guid leaseId, long entryId, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        if (stash is null)
        {
            return refusal!;
        }

        // Only an entry in a scope the run reads: a worker cannot name its way into another branch's or repository's cache.
        var defaultBranch = stash.Run.Repository is { } name ? (await repositories.GetRepositoryAsync(name, cancellationToken))?.DefaultBranch : null;
        var scopes = CacheScopes.For(stash.Run, defaultBranch);
        var entry = caches is null ? null : (await caches.ListCachesAsync(scopes.Repository, cancellationToken))
            .FirstOrDefault(e => e.Id == entryId && scopes.Read.Contains(e.Scope, StringComparer.Ordinal));
        if (entry is null)
        {
            return Problems.NotFound($"run {stash.Run.Id} may read no cache entry {entryId}");
        }

        var hit = new CacheHit(entry.Id, entry.Key, entry.Scope, entry.Bytes, Exact: false);
        return await SendTarAsync(context, await stash.Stash.OpenCacheAsync(hit, cancellationToken));
    }

    public async Task<IResult> SaveCacheAsync(Caller caller, Guid leaseId, string? key, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        if (string.IsNullOrEmpty(key))
        {
            return Problems.BadRequest("key: the cache's key, expanded");
        }

        var (stash, refusal) = await StashAsync(caller, leaseId, cancellationToken);
        if (stash is null)
        {
            return refusal!;
        }

        if (stash.Stash.SaveScope is null)
        {
            return Results.NoContent();
        }

        LiftBodyLimit(context, limits.MaxCacheBytes);
        try
        {
            return await stash.Stash.SaveCacheAsync(key, context.Request.Body, cancellationToken) is { } saved
                ? TypedResults.Json(saved, WorkerArtifactJson.Default.CacheSaved)
                : Results.NoContent();
        }
        catch (ArtifactRefusedException refused)
        {
            return Refusal(refused, StatusCodes.Status413PayloadTooLarge);
        }
    }

    private async Task<(LeaseStash? Stash, IResult? Refusal)> StashAsync(Caller caller, Guid leaseId, CancellationToken cancellationToken)
    {
        var (lease, refusal) = await leases.FindRunningAsync(caller, leaseId, cancellationToken);
        if (lease is null)
        {
            return (null, refusal);
        }

        if (await runs.GetRunAsync(lease.RunId, cancellationToken) is not { } run)
        {
            return (null, WorkerLeases.LeaseLost(leaseId));
        }

        if (stashes is null)
        {
            return (null, Results.Problem("this server keeps no artifacts or caches", statusCode: StatusCodes.Status501NotImplemented, title: "Not kept here"));
        }

        return (new LeaseStash(lease, run, stashes), null);
    }

    private static async Task<IResult> SendTarAsync(HttpContext context, Stream tar)
    {
        await using (tar)
        {
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            context.Response.ContentType = WorkerArtifactPaths.TarType;
            if (tar.CanSeek)
            {
                context.Response.ContentLength = tar.Length - tar.Position;
            }

            await tar.CopyToAsync(context.Response.Body, 81920, context.RequestAborted);
        }

        return Results.Empty;
    }

    /// <summary>Uploads are as big as the stash's limits allow, which it checks as it reads; Kestrel's own limit would cut
    /// them at 30 MB. The body may be twice the limit (and a little more), room for a tar's headers around many small
    /// files; beyond that Kestrel ends it.</summary>
    private static void LiftBodyLimit(HttpContext context, long limit)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit > (long.MaxValue - (64L << 20)) / 2 ? null : (2 * limit) + (64L << 20);
        }
    }

    private static IResult Refusal(ArtifactRefusedException refused, int status) =>
        Results.Problem(refused.Message, statusCode: status, title: "Refused", type: WorkerArtifactPaths.Refused);

    /// <summary>The lease, its run, and the attempt's stash, made when first asked for: a call refused on the lease's own
    /// terms (another run's set, a scope the run may not read) needs none.</summary>
    private sealed class LeaseStash(JobLease lease, RunRecord run, IJobStashes stashes)
    {
        private IJobStash? _stash;

        public JobLease Lease => lease;

        public RunRecord Run => run;

        public IJobStash Stash => _stash ??= stashes.For(lease, run);
    }
}
