using Cairn.Core.Secrets;
using Cairn.Core.Trackers;
using Cairn.Server.Hosting;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cairn.Server.Trackers;

/// <summary>Registers the trackers: the sealed store, Plane's HTTP client, the planner of Plane's deliveries, the
/// notifier that comments on work items (in place of <see cref="NoWorkItemNotifier"/>), and its outbox's delivery and
/// the listener that tells a work item its run finished, which the planner starts (<see cref="TrackerLoops"/>).</summary>
internal static class TrackerServices
{
    public static IServiceCollection AddCairnTrackers(this IServiceCollection services, byte[] masterKey, ServerRuntime runtime)
    {
        services.AddSingleton(provider => new SealedTrackerStore(provider.GetRequiredService<ICairnStore>(), new SecretCipher(masterKey)));
        services.AddSingleton<ITrackerStore>(provider => provider.GetRequiredService<SealedTrackerStore>());
        services.AddSingleton(runtime.PlanePlanning ?? PlanePlanning.Default);
        services.AddSingleton<TrackerSignal>();
        services.AddSingleton(provider => new PlaneConnections(
            provider.GetRequiredService<ITrackerStore>(), new HttpClient { Timeout = TimeSpan.FromSeconds(15) }));
        services.RemoveAll<IWorkItemNotifier>();
        services.AddSingleton<IWorkItemNotifier, PlaneNotifier>();
        services.AddSingleton<PlanePlanner>();
        services.AddSingleton<TrackerCommentDelivery>();
        services.AddSingleton<TrackerLoops>();
        return services;
    }
}
