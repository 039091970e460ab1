using Cairn.Core.Trackers;
using Cairn.Forges.Plane;

namespace Cairn.Server.Trackers;

/// <summary>Opens a <see cref="PlaneClient"/> for a tracker with its API key, over the server's one HTTP client for Plane.</summary>
public sealed class PlaneConnections(ITrackerStore trackers, HttpClient http)
{
    /// <summary>The tracker's client, or null when its secrets no longer open.</summary>
    public async Task<PlaneClient?> ClientAsync(TrackerRecord tracker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        return await trackers.GetTrackerSecretsAsync(tracker.Id, cancellationToken) is { } secrets
            ? new PlaneClient(http, tracker.ApiUrl, tracker.Workspace, secrets.ApiKey)
            : null;
    }

    /// <summary>The work item's page, as Plane's web app links it.</summary>
    public static string WorkItemUrl(TrackerRecord tracker, string workItem)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        return $"{tracker.ApiUrl.ToString().TrimEnd('/')}/{Uri.EscapeDataString(tracker.Workspace)}/projects/{Uri.EscapeDataString(tracker.Project)}/issues/{Uri.EscapeDataString(workItem)}";
    }
}
