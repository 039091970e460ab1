using System.Collections.Concurrent;
using System.Globalization;

namespace Cairn.Executors.Container;

/// <summary>What a sweep removed.</summary>
public sealed record SweepResult(IReadOnlyList<string> Containers, IReadOnlyList<string> Networks);

/// <summary>Finds and removes containers and networks a crashed worker left behind. A Cairn-labelled object is a
/// leftover when none of this executor's live jobs holds it and (1) its <c>cairn.owner</c> is this executor's
/// owner, or (2) its owner is <c>host:pid</c> of this host and that process no longer runs, or (3) a maximum age
/// is configured and it is older than that, whoever owns it.</summary>
internal sealed class LeftoverSweep(
    DockerEngineClient engine, string owner, ConcurrentDictionary<string, byte> live, TimeSpan? olderThan, TimeProvider time)
{
    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var containers = new List<string>();
        foreach (var container in await engine.ListContainersAsync(ContainerRequests.OwnerLabel, cancellationToken))
        {
            var created = DateTimeOffset.FromUnixTimeSeconds(container.Created);
            if (!live.ContainsKey(container.Id) && IsLeftover(container.Labels, created, now))
            {
                await engine.RemoveContainerAsync(container.Id, cancellationToken);
                containers.Add(container.Names is [var name, ..] ? name.TrimStart('/') : container.Id);
            }
        }

        // Networks go after the containers on them, or the engine refuses.
        var networks = new List<string>();
        foreach (var network in await engine.ListNetworksAsync(ContainerRequests.OwnerLabel, cancellationToken))
        {
            var created = DateTimeOffset.TryParse(network.Created, CultureInfo.InvariantCulture, out var at) ? at : now;
            if (!live.ContainsKey(network.Name) && !live.ContainsKey(network.Id) && IsLeftover(network.Labels, created, now))
            {
                await engine.RemoveNetworkAsync(network.Id, cancellationToken);
                networks.Add(network.Name);
            }
        }

        return new SweepResult(containers, networks);
    }

    private bool IsLeftover(IReadOnlyDictionary<string, string>? labels, DateTimeOffset created, DateTimeOffset now)
    {
        if (labels is null || !labels.TryGetValue(ContainerRequests.OwnerLabel, out var labelled))
        {
            return false;
        }

        return labelled == owner
            || OwnerProcessIsGone(labelled)
            || (olderThan is { } limit && now - created > limit);
    }

    /// <summary>True for an owner written as <c>host:pid</c> (the default) of this host whose process has ended.</summary>
    internal static bool OwnerProcessIsGone(string labelled)
    {
        var colon = labelled.LastIndexOf(':');
        return colon > 0
            && labelled[..colon] == Environment.MachineName
            && int.TryParse(labelled.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && pid != Environment.ProcessId
            && !Directory.Exists($"/proc/{pid}");
    }
}
