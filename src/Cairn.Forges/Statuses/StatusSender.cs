using System.Globalization;
using System.Net;
using System.Text;
using Cairn.Core.Forges;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Cairn.Forges.Statuses;

/// <summary>Sends one status post through a short resilience pipeline: each attempt under its own timeout, quick
/// retries for what may pass in seconds, and every ending turned into a <see cref="StatusDelivery"/>. Only the
/// caller's cancellation escapes as an exception.</summary>
internal sealed class StatusSender
{
    private const int LongestErrorBody = 16 * 1024;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly StatusSendOptions _options;
    private readonly ResiliencePipeline<ForgeReply> _pipeline;

    public StatusSender(HttpClient http, TimeProvider time, StatusSendOptions options)
    {
        _http = http;
        _time = time;
        _options = options;
        var builder = new ResiliencePipelineBuilder<ForgeReply> { TimeProvider = time };
        if (options.QuickRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<ForgeReply>
            {
                MaxRetryAttempts = options.QuickRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetryDelay,
                MaxDelay = options.LongestRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(IsWorthAQuickRetry(args.Outcome, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            });
        }

        _pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <param name="forge">The forge's name, for reasons (<c>github answered 422: ...</c>).</param>
    /// <param name="request">Makes the request, once per attempt.</param>
    /// <param name="alreadyDelivered">A refusal that means the status is already there.</param>
    public async Task<StatusDelivery> SendAsync(
        string forge, Func<HttpRequestMessage> request, Func<ForgeReply, bool>? alreadyDelivered, CancellationToken cancellationToken)
    {
        ForgeReply reply;
        try
        {
            reply = await _pipeline.ExecuteAsync(token => AttemptAsync(request, token), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return new StatusDelivery.Retry($"{forge} did not answer within {Seconds(_options.AttemptTimeout)}", null);
        }
        catch (OperationCanceledException)
        {
            return new StatusDelivery.Retry($"{forge} did not answer in time", null);
        }
        catch (HttpRequestException error)
        {
            return new StatusDelivery.Retry($"{forge} could not be reached: {error.Message}", null);
        }
        catch (Exception error)
        {
            return new StatusDelivery.Retry($"sending to {forge} failed: {error.Message}", null);
        }

        if (reply.IsSuccess || alreadyDelivered?.Invoke(reply) == true)
        {
            return new StatusDelivery.Delivered();
        }

        var reason = reply.Message.Length > 0 ? $"{forge} answered {reply.Status}: {reply.Message}" : $"{forge} answered {reply.Status}";
        return reply.IsTransient ? new StatusDelivery.Retry(reason, reply.RetryAfter) : new StatusDelivery.Rejected(reason);
    }

    private async ValueTask<ForgeReply> AttemptAsync(Func<HttpRequestMessage> makeRequest, CancellationToken cancellationToken)
    {
        using var request = makeRequest();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new ForgeReply(status, "", null, RateLimited: false);
        }

        var body = await ReadStartAsync(response.Content, cancellationToken);
        var retryAfter = RetryAfter(response);
        var rateLimited = response.StatusCode == HttpStatusCode.Forbidden &&
            (response.Headers.RetryAfter is not null || Header(response, "x-ratelimit-remaining") == "0");
        return new ForgeReply(status, ForgeReply.MessageOf(body, response.ReasonPhrase), retryAfter, rateLimited);
    }

    private bool IsWorthAQuickRetry(Outcome<ForgeReply> outcome, CancellationToken callerToken) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,

        // HttpClient's own timeout, when the client given has one.
        { Exception: OperationCanceledException } => !callerToken.IsCancellationRequested,
        { Exception: not null } => false,
        { Result: { IsTransient: true } reply } => reply.RetryAfter is not { } wait || wait <= _options.LongestRetryDelay,
        _ => false,
    };

    /// <summary>Retry-After as seconds or a date, or GitHub's rate-limit reset when the limit is spent.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var now = _time.GetUtcNow();
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

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[LongestErrorBody];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";
}
