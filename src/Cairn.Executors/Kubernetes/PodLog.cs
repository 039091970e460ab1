using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Cairn.Executors.Kubernetes;

/// <summary>One piece of the job container's log: a line a step printed, or a supervisor marker.</summary>
internal readonly record struct PodLogItem(DateTimeOffset At, string? Text, StepMarker? Marker);

/// <summary>Follows the <c>job</c> container's log (<c>follow</c>, <c>timestamps</c>) from its start to its end, cutting
/// it at the supervisor's markers. When the stream drops while the container still runs, it reads again from a little
/// before the last line's time and drops what it already had (lines at an earlier time, and as many at the same time as
/// it saw): no line is lost, none comes twice. Done once the container has ended and its log is read out.</summary>
internal sealed class PodLog(IKubernetes client, PodIdentity pod, TimeProvider time) : ApiFollower
{
    private readonly Channel<PodLogItem> _items = Channel.CreateUnbounded<PodLogItem>(new UnboundedChannelOptions { SingleReader = true });
    private DateTimeOffset? _lastAt;
    private int _seenAtLast;

    /// <summary>The log's lines and markers in order; completes when the container's log has ended.</summary>
    public ChannelReader<PodLogItem> Items => _items.Reader;

    /// <summary>How many times the stream was opened again after dropping.</summary>
    public int Resumes { get; private set; }

    /// <summary>Splits <c>2026-01-02T03:04:05.123456789Z text</c> into its time and text.</summary>
    public static bool TryParseLine(string line, out DateTimeOffset at, out string text)
    {
        ArgumentNullException.ThrowIfNull(line);
        at = default;
        text = line;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? line : line[..space];
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && stamp.EndsWith('Z'))
        {
            var fraction = stamp[(dot + 1)..^1];
            stamp = stamp[..dot] + "." + (fraction.Length > 7 ? fraction[..7] : fraction) + "Z";
        }

        if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at))
        {
            return false;
        }

        text = space < 0 ? "" : line[(space + 1)..];
        return true;
    }

    protected override async Task FollowAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await ReadOnceAsync(cancellationToken);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested
                    && error is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or OperationCanceledException
                        or ObjectDisposedException or InvalidOperationException)
                {
                    // The stream dropped, or the client's own request timeout ended it: whether to read again is the
                    // container's state's to say.
                }

                if (await EndedAsync(cancellationToken))
                {
                    return;
                }

                Resumes++;
                await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _items.Writer.TryComplete();
        }
    }

    private async Task ReadOnceAsync(CancellationToken cancellationToken)
    {
        int? since = _lastAt is { } last ? (int)Math.Ceiling((time.GetUtcNow() - last).TotalSeconds) + 5 : null;
        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Name, pod.Namespace,
            container: KubernetesManifests.JobContainer, follow: true, timestamps: true, sinceSeconds: since, cancellationToken: cancellationToken);
        using var reader = new StreamReader(stream);
        DateTimeOffset? runAt = null;
        var runCount = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!TryParseLine(line, out var at, out var text))
            {
                at = _lastAt ?? time.GetUtcNow();
            }

            runCount = at == runAt ? runCount + 1 : 1;
            runAt = at;
            if (_lastAt is { } seen && (at < seen || (at == seen && runCount <= _seenAtLast)))
            {
                continue;
            }

            _seenAtLast = at == _lastAt ? _seenAtLast + 1 : 1;
            _lastAt = at;
            await WriteAsync(at, text, cancellationToken);
        }
    }

    private async Task WriteAsync(DateTimeOffset at, string text, CancellationToken cancellationToken)
    {
        if (StepMarkers.TryParse(text, pod.Nonce, out var before, out var marker))
        {
            if (before is not null)
            {
                await _items.Writer.WriteAsync(new PodLogItem(at, before, null), cancellationToken);
            }

            await _items.Writer.WriteAsync(new PodLogItem(at, null, marker), cancellationToken);
            return;
        }

        await _items.Writer.WriteAsync(new PodLogItem(at, text, null), cancellationToken);
    }

    private async Task<bool> EndedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var current = await client.CoreV1.ReadNamespacedPodAsync(pod.Name, pod.Namespace, cancellationToken: cancellationToken);
            var job = current.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == KubernetesManifests.JobContainer);
            return job?.State?.Running is null || current.Status?.Phase is "Failed" or "Succeeded";
        }
        catch (k8s.Autorest.HttpOperationException error) when (error.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (Exception error) when (error is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
        {
            return false;
        }
    }
}
