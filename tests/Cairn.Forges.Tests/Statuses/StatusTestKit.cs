using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Statuses;

/// <summary>The system clock, noting every timer asked of it: what a retry was told to wait shows without waiting
/// for it in an assertion.</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    public IReadOnlyCollection<TimeSpan> Timers => _timers;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}

internal static class StatusTestKit
{
    public const string Sha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    /// <summary>Quick enough for tests: tiny backoff, a second-long cap so a Retry-After of 1 is still waited for.</summary>
    public static readonly StatusSendOptions Options = new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(10),
        QuickRetries = 2,
        FirstRetryDelay = TimeSpan.FromMilliseconds(10),
        LongestRetryDelay = TimeSpan.FromSeconds(2),
    };

    public static CommitStatus Passed => new(CommitState.Success, "cairn/ci", "All 3 jobs passed", "https://ci.example.com/runs/7");

    /// <summary>An address on loopback where nothing listens.</summary>
    public static string RefusingUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
