using System.Threading.RateLimiting;

namespace Cairn.Server.Access;

/// <summary>Failed authentications per client address, through ASP.NET Core's rate limiter: a fixed window of
/// <see cref="Limit"/> failures a minute. Past it, that address gets 429 for the rest of the window, whatever it sends,
/// so guessing tokens costs a minute per handful.</summary>
public sealed class FailedSignIns : IDisposable
{
    public const int Limit = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(
        address => RateLimitPartition.GetFixedWindowLimiter(
            address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Limit, Window = Window, QueueLimit = 0, AutoReplenishment = true }));

    /// <summary>Whether the address has used up its failures for now.</summary>
    public bool IsBlocked(string? address) => limiter.GetStatistics(Key(address))?.CurrentAvailablePermits == 0;

    /// <summary>Counts one failure; false when it was over the limit.</summary>
    public bool Fail(string? address)
    {
        using var lease = limiter.AttemptAcquire(Key(address));
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();

    private static string Key(string? address) => address ?? "";
}
