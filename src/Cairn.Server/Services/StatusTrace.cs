using System.Diagnostics;
using System.Globalization;
using Cairn.Core.Forges;
using Cairn.Core.Runs;
using Cairn.Core.Telemetry;

namespace Cairn.Server.Services;

/// <summary>The <c>status.deliver</c> span of one commit status's delivery, in the trace of the run the status is of: the
/// run is the one its link points to (<c>PUBLIC-URL/runs/ID</c>, as the projector writes it), and its trace context is
/// read from the run.</summary>
internal static class StatusTrace
{
    public static async Task<Activity?> StartAsync(IRunStore runs, StatusOutboxEntry entry, CancellationToken cancellationToken)
    {
        if (!CairnTelemetry.Source.HasListeners())
        {
            return null;
        }

        var runId = RunIdOf(entry.Status.TargetUrl);
        var run = runId is { } id ? await runs.GetRunAsync(id, cancellationToken) : null;
        var span = RunTrace.StartChild(CairnTelemetry.Spans.StatusDelivery, run?.TraceParent).Describe(run?.Id, null, entry.Repository);
        span?.SetTag("cairn.status.context", entry.Status.Context);
        span?.SetTag(CairnTelemetry.Attributes.Status, entry.Status.State.ToString().ToLowerInvariant());
        span?.SetTag(CairnTelemetry.Attributes.Attempt, entry.Attempts + 1);
        return span;
    }

    /// <summary>The run a status's link points to, or null when it points elsewhere.</summary>
    internal static long? RunIdOf(string? link)
    {
        if (link is null || !Uri.TryCreate(link, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var segments = uri.AbsolutePath.TrimEnd('/').Split('/');
        return segments is [.., "runs", var last] && long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}
