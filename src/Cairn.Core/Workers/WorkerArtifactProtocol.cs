using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core.Artifacts;

namespace Cairn.Core.Workers;

/// <summary>The worker protocol's calls for artifacts and caches, under <see cref="WorkerPaths.OfLease"/>: bound to the
/// lease as the other lease calls are (the worker's token, a lease that is its and still running), and through it to the
/// lease's run, job and attempt and the run's cache scopes. Tars travel as the body, streamed.</summary>
public static class WorkerArtifactPaths
{
    /// <summary><c>POST</c> a <see cref="NeededArtifactsRequest"/>: the sets the named jobs kept in the lease's run, as a
    /// <see cref="NeededArtifactsAnswer"/>.</summary>
    public static string Needed(Guid leaseId) => $"{WorkerPaths.OfLease(leaseId)}/artifacts/needed";

    /// <summary><c>GET</c>: one set of the lease's run as a tar (404 for a set of another run).</summary>
    public static string Set(Guid leaseId, long setId) =>
        string.Create(CultureInfo.InvariantCulture, $"{WorkerPaths.OfLease(leaseId)}/artifacts/sets/{setId}");

    /// <summary><c>PUT</c> a tar (<c>application/x-tar</c>) with <c>?expireInMs=</c> (absent: the server's default): keeps
    /// the attempt's artifacts; answers an <see cref="ArtifactSummary"/>, or a problem (413: too big; 422: an entry that is
    /// not allowed) whose detail is the sentence for the job's log.</summary>
    public static string Upload(Guid leaseId, TimeSpan? expireIn) => expireIn is { } expiry
        ? string.Create(CultureInfo.InvariantCulture, $"{WorkerPaths.OfLease(leaseId)}/artifacts?expireInMs={(long)expiry.TotalMilliseconds}")
        : $"{WorkerPaths.OfLease(leaseId)}/artifacts";

    /// <summary><c>POST</c> a <see cref="CacheFindRequest"/>: the <see cref="CacheHit"/> to restore, or 204 when none.</summary>
    public static string FindCache(Guid leaseId) => $"{WorkerPaths.OfLease(leaseId)}/caches/find";

    /// <summary><c>GET</c>: a cache entry's tar, when the run's scopes may read it (else 404).</summary>
    public static string Cache(Guid leaseId, long entryId) =>
        string.Create(CultureInfo.InvariantCulture, $"{WorkerPaths.OfLease(leaseId)}/caches/{entryId}");

    /// <summary><c>PUT</c> a tar with <c>?key=</c>: saves a cache entry in the run's scope; answers a <see cref="CacheSaved"/>,
    /// 204 when the scope already has the key or the run may not save, or 413 with the reason.</summary>
    public static string SaveCache(Guid leaseId, string key) => $"{WorkerPaths.OfLease(leaseId)}/caches?key={Uri.EscapeDataString(key)}";

    /// <summary>The type of the tars sent both ways.</summary>
    public const string TarType = "application/x-tar";

    /// <summary>The <c>type</c> of a 413/422 problem that refused what was sent: its detail is the refusal's sentence.</summary>
    public const string Refused = "urn:cairn:worker:artifacts-refused";
}

/// <summary>The jobs whose artifacts an attempt brings in, as its <c>needs</c> names them.</summary>
public sealed record NeededArtifactsRequest(IReadOnlyList<string> Needs);

/// <summary>The sets those jobs kept, in the order of the request's needs.</summary>
public sealed record NeededArtifactsAnswer(IReadOnlyList<ArtifactSet> Sets);

/// <summary>A cache to find: the exact key, then the restore keys' prefixes in order.</summary>
public sealed record CacheFindRequest(string Key, IReadOnlyList<string> RestoreKeys);

/// <summary>The JSON of the artifact calls, in the shape of <see cref="WorkerProtocolJson"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NeededArtifactsRequest))]
[JsonSerializable(typeof(NeededArtifactsAnswer))]
[JsonSerializable(typeof(CacheFindRequest))]
[JsonSerializable(typeof(CacheHit))]
[JsonSerializable(typeof(CacheSaved))]
[JsonSerializable(typeof(ArtifactSummary))]
public sealed partial class WorkerArtifactJson : JsonSerializerContext;
