using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Cairn.Core.Telemetry;

namespace Cairn.Testing;

/// <summary>Listens to Cairn's meter and keeps the measurements made in this test's own flow (the code it calls, and the
/// tasks and hosted services it starts), so that tests running beside it in the same process count for nothing.</summary>
public sealed class MetricRecorder : IDisposable
{
    private static readonly AsyncLocal<MetricRecorder?> Current = new();

    private readonly MeterListener _listener = new();

    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricRecorder()
    {
        Current.Value = this;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CairnTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (ReferenceEquals(Current.Value, this))
            {
                var named = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    named[tag.Key] = tag.Value?.ToString();
                }

                _measurements.Enqueue((instrument.Name, value, named));
            }
        });
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded in this flow with every tag of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Name == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Sum(m => m.Value);

    public void Dispose()
    {
        _listener.Dispose();
        if (ReferenceEquals(Current.Value, this))
        {
            Current.Value = null;
        }
    }
}
