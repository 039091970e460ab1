using Cairn.Server.Services;
using Cairn.Server.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

/// <summary>The server's loops besides its workers: planning journaled events, projecting run changes into commit
/// statuses and sending them, firing schedules, reading the change feed for live streams, and forgetting old runs.
/// They start in the order they are added here, after the workers.</summary>
internal static class ServerBackgroundServices
{
    public static IServiceCollection AddCairnBackgroundServices(this IServiceCollection services, ServerRuntime runtime)
    {
        services.AddSingleton<StatusSignal>();
        services.AddSingleton(new StatusBackoff(runtime.StatusBackoff ?? StatusOutboxDelivery.Backoff));
        services.AddSingleton(new RetentionSweep(runtime.RetentionSweep));
        services.AddHostedService<EventPlanner>();
        services.AddHostedService<StatusProjector>();
        services.AddHostedService<StatusOutboxDelivery>();
        services.AddHostedService<Scheduler>();
        services.AddSingleton<ChangeWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeWatch>());
        services.AddHostedService<RetentionService>();
        return services;
    }
}
