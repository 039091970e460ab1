using System.Diagnostics.Metrics;
using Cairn.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>The gauges that come from the database (<c>cairn_jobs</c>, <c>cairn_jobs_waiting</c>, <c>cairn_workers</c>,
/// <c>cairn_status_outbox_pending</c>, <c>cairn_status_outbox_oldest_seconds</c>): a background loop refreshes one
/// snapshot every few seconds with a few aggregate queries, and the gauges' callbacks read that snapshot, so a scrape
/// never queries the database. Every replica reports the same figures: aggregate them with <c>max without(instance)</c>.
/// <c>cairn_workers{state="server"}</c> is this server's own worker slots (its <c>--concurrency</c>), per instance.</summary>
internal sealed partial class OperationalGauges : BackgroundService
{
    /// <summary>How often the snapshot is refreshed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>A worker not heard from for this long counts as offline.</summary>
    public static readonly TimeSpan SeenWithin = TimeSpan.FromMinutes(2);

    private readonly IOperationalCounts _counts;
    private readonly TimeProvider _time;
    private readonly ILogger<OperationalGauges> _logger;
    private readonly int _serverSlots;
    private readonly Meter _meter;
    private volatile OperationalCounts _snapshot = OperationalCounts.Empty;

    public OperationalGauges(IOperationalCounts counts, TimeProvider time, ServerSettings settings, ILogger<OperationalGauges> logger)
    {
        _counts = counts;
        _time = time;
        _logger = logger;
        _serverSlots = settings.Concurrency;
        // A meter of this server's own, under Cairn's name (what the SDK subscribes to), disposed with the server: a
        // process that hosts several servers (the tests) does not keep a stopped one's gauges.
        var meter = _meter = new Meter(CairnTelemetry.Name);
        meter.CreateObservableGauge("cairn_jobs", () => Each(_snapshot.Jobs, CairnMetrics.Labels.State), description: "Jobs not ended, by state (queued, waiting, running).");
        meter.CreateObservableGauge("cairn_jobs_waiting", () => Each(_snapshot.Waiting, CairnMetrics.Labels.Reason), description: "Jobs not under way, by what they wait for.");
        meter.CreateObservableGauge("cairn_workers", Workers, description: "Workers by state: HTTP workers from the store; state=server is this server's own worker slots.");
        meter.CreateObservableGauge("cairn_status_outbox_pending", () => _snapshot.OutboxPending, description: "Commit statuses not yet delivered to their forge.");
        meter.CreateObservableGauge("cairn_status_outbox_oldest_seconds", OldestSeconds, "s", "Age of the oldest commit status not yet delivered; 0 when none waits.");
    }

    /// <summary>The snapshot the gauges read now.</summary>
    public OperationalCounts Snapshot => _snapshot;

    /// <summary>Refreshes the snapshot once.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _snapshot = await _counts.CountOperationsAsync(now, now - SeenWithin, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // The gauges keep their last figures; the next tick tries again.
                LogSampleFailed(_logger, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static IEnumerable<Measurement<long>> Each(IReadOnlyDictionary<string, long> counts, string label) =>
        counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>(label, c.Key)));

    private IEnumerable<Measurement<long>> Workers() =>
        Each(_snapshot.Workers, CairnMetrics.Labels.State)
            .Append(new Measurement<long>(_serverSlots, new KeyValuePair<string, object?>(CairnMetrics.Labels.State, "server")));

    private double OldestSeconds() =>
        _snapshot.OutboxOldest is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The metrics' counts could not be read from the store: {Reason}")]
    private static partial void LogSampleFailed(ILogger logger, string reason);
}
