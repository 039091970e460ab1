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
