using Cairn.Core.Gates;
using Cairn.Core.Trackers;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cairn.Server.Gates;

/// <summary>Approval gates in the server: the store's gates, who may decide them, the decisions from every channel and the
/// loop that fails gates whose deadline passed; and, unless a tracker wired its own, a work-item notifier that tells nobody.</summary>
internal static class GateServices
{
    public static IServiceCollection AddGates(this IServiceCollection services, ICairnStore store)
    {
        // As an instance, like every port of the store: the server, not the container, disposes it.
        services.AddSingleton<IApprovalStore>(store);
        services.TryAddSingleton<IWorkItemNotifier>(NoWorkItemNotifier.Instance);
        services.AddSingleton<GateEligibility>();
        services.AddSingleton<GateDecisions>();
        services.AddSingleton<IGateDecisions>(provider => provider.GetRequiredService<GateDecisions>());
        services.AddSingleton<ReviewApprovals>();
        services.AddHostedService<GateDeadlines>();
        return services;
    }
}
