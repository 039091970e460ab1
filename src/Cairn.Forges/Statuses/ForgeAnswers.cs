using System.Globalization;
using System.Net;

namespace Cairn.Forges.Statuses;

/// <summary>What a forge's answer says about trying again: whether it may pass soon, and how long the forge asked to
/// be left alone.</summary>
internal static class ForgeAnswers
{
    /// <summary>5xx, 429, or a 403 that is the forge's rate limit (GitHub's secondary limits), not a refusal.</summary>
    public static bool IsTransient(HttpResponseMessage response) =>
        IsRateLimited(response) || response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode is >= 500 and < 600;

    public static bool IsRateLimited(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden &&
        (response.Headers.RetryAfter is not null || Header(response, "x-ratelimit-remaining") == "0");

    /// <summary>Retry-After as seconds or a date, or GitHub's rate-limit reset when the limit is spent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta ?? (retryAfter.Date is { } date ? Max(date - now) : null);
        }

        if (Header(response, "x-ratelimit-remaining") == "0" &&
            long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset) &&
            reset < 1L << 40)
        {
            return Max(DateTimeOffset.FromUnixTimeSeconds(reset) - now);
        }

        return null;
    }

    private static TimeSpan Max(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
