using Cairn.Core.Workers;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Workers;

/// <summary>The server's side of the worker protocol (<see cref="WorkerPaths"/>): the calls a worker over HTTP makes with
/// its worker token, and the git source its jobs fetch with a lease's source token.</summary>
internal static class WorkerProtocolApi
{
    private const string OfLease = "/api/v1/worker/leases/{leaseId:guid}";

    public static IServiceCollection AddCairnWorkerProtocol(this IServiceCollection services, byte[] masterKey)
    {
        services.AddSingleton(new SourceTokens(masterKey));
        services.AddSingleton<WorkerLeases>();
        services.AddSingleton<WorkerLeasing>();
        services.AddSingleton<WorkerLogIntake>();
        services.AddSingleton<WorkerLeaseCalls>();
        services.AddSingleton(provider => new WorkerArtifactCalls(
            provider.GetRequiredService<WorkerLeases>(), provider.GetRequiredService<Core.Runs.IRunStore>(),
            provider.GetRequiredService<Core.Repositories.IRepositoryStore>(),
            provider.GetService<Core.Artifacts.ArtifactSettings>() ?? Core.Artifacts.ArtifactSettings.Default, provider.GetService<Core.Artifacts.IJobStashes>(),
            provider.GetService<Core.Artifacts.IArtifactIndex>(), provider.GetService<Core.Artifacts.ICacheIndex>()));
        services.AddSingleton<ServerJobSourceIssuer>();
        return services;
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(WorkerPaths.Lease, async (Caller caller, HttpContext context, WorkerLeasing leasing) =>
            await leasing.LeaseAsync(caller, await ReadAsync(context, WorkerProtocolJson.Default.LeaseRequest), context))
            .ForWorker().ExcludeFromDescription();

        app.MapPost(WorkerPaths.LiveLeases, async (Caller caller, HttpContext context, WorkerLeaseCalls calls) =>
            await calls.LiveAsync(caller, await ReadAsync(context, WorkerProtocolJson.Default.LiveLeasesRequest), context.RequestAborted))
            .ForWorker().ExcludeFromDescription();

        var lease = app.MapGroup(OfLease).ForWorker().ExcludeFromDescription();
        lease.MapPost("/heartbeat", (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            calls.HeartbeatAsync(caller, leaseId, context));
        lease.MapGet("/cancel", (Caller caller, Guid leaseId, int? wait, HttpContext context, WorkerLeaseCalls calls) =>
            calls.CancelAsync(caller, leaseId, wait, context.RequestAborted));
        lease.MapPost("/log", async (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            await calls.LogAsync(caller, leaseId, await ReadAsync(context, WorkerProtocolJson.Default.LogBatch), context.RequestAborted));
        lease.MapPost("/steps", async (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            await calls.StepAsync(caller, leaseId, await ReadAsync(context, WorkerProtocolJson.Default.StepReport), context.RequestAborted));
        lease.MapPost("/waiting", async (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            await calls.WaitingAsync(caller, leaseId, await ReadAsync(context, WorkerProtocolJson.Default.WaitingReport), context.RequestAborted));
        lease.MapPost("/secrets", (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            calls.SecretsAsync(caller, leaseId, context.RequestAborted));
        lease.MapPost("/complete", async (Caller caller, Guid leaseId, HttpContext context, WorkerLeaseCalls calls) =>
            await calls.CompleteAsync(caller, leaseId, await ReadAsync(context, WorkerProtocolJson.Default.CompletionReport), context.RequestAborted));
        lease.MapPost("/artifacts/needed", async (Caller caller, Guid leaseId, HttpContext context, WorkerArtifactCalls calls) =>
            await calls.NeededAsync(caller, leaseId, await ReadAsync(context, WorkerArtifactJson.Default.NeededArtifactsRequest), context.RequestAborted));
        lease.MapGet("/artifacts/sets/{setId:long}", (Caller caller, Guid leaseId, long setId, HttpContext context, WorkerArtifactCalls calls) =>
            calls.SetAsync(caller, leaseId, setId, context));
        lease.MapPut("/artifacts", (Caller caller, Guid leaseId, long? expireInMs, HttpContext context, WorkerArtifactCalls calls) =>
            calls.UploadAsync(caller, leaseId, expireInMs, context));
        lease.MapPost("/caches/find", async (Caller caller, Guid leaseId, HttpContext context, WorkerArtifactCalls calls) =>
            await calls.FindCacheAsync(caller, leaseId, await ReadAsync(context, WorkerArtifactJson.Default.CacheFindRequest), context.RequestAborted));
        lease.MapGet("/caches/{entryId:long}", (Caller caller, Guid leaseId, long entryId, HttpContext context, WorkerArtifactCalls calls) =>
            calls.CacheAsync(caller, leaseId, entryId, context));
        lease.MapPut("/caches", (Caller caller, Guid leaseId, string? key, HttpContext context, WorkerArtifactCalls calls) =>
            calls.SaveCacheAsync(caller, leaseId, key, context));

        GitSourceEndpoint.Map(app);
    }

    /// <summary>The request's JSON as the protocol's type; null when it is not that (the call answers 400).</summary>
    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = 2 * WorkerLogIntake.MaxBytes;
        }

        try
        {
            return await context.Request.ReadFromJsonAsync(type, context.RequestAborted);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
