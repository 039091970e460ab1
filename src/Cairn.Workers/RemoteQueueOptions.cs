using System.Security.Cryptography;

namespace Cairn.Workers;

/// <summary>How a worker process leases over HTTP: its instance (random per process), where spools go past memory, and
/// how long each long poll waits.</summary>
public sealed record RemoteQueueOptions(string Instance, string SpoolDirectory, SpoolBudget Budget)
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>How long the server may hold a lease request while no job is queued.</summary>
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long after a lease begins its first cancel long poll is made: a job that ends sooner (most no-op and
    /// quick jobs) costs the server no call for it; a cancel asked in that time is heard at its end.</summary>
    public TimeSpan FirstCancelPollAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a failed cancel long poll waits before it returns (the heartbeat then decides).</summary>
    public TimeSpan CancelFailurePause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a spool's sender waits after a failed delivery before it tries again.</summary>
    public TimeSpan SpoolPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the worker offers every label its identity has (it was started without <c>--labels</c>): its lease
    /// requests then name none, and the server takes the identity's.</summary>
    public bool OfferIdentityLabels { get; init; }

    /// <summary>A new instance name: 12 base62 characters.</summary>
    public static string NewInstance() => new(RandomNumberGenerator.GetItems<char>(Base62, 12));
}
