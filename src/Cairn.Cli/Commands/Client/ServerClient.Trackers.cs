using System.Globalization;
using System.Net.Http.Json;

namespace Cairn.Cli.Commands.Client;

/// <summary>Trackers: the issue trackers' projects whose work items start runs.</summary>
internal sealed partial class ServerClient
{
    public Task<Answer<TrackerView>> AddTrackerAsync(AddTrackerRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "trackers", JsonContent.Create(request, TrackerJsonContext.Default.AddTrackerRequest), TrackerJsonContext.Default.TrackerView, null, cancellationToken);

    public Task<Answer<Page<TrackerView>>> ListTrackersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "trackers", null, TrackerJsonContext.Default.PageTrackerView, null, cancellationToken);

    public async Task RemoveTrackerAsync(long id, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, "trackers/" + id.ToString(CultureInfo.InvariantCulture), null, null, cancellationToken);
}
