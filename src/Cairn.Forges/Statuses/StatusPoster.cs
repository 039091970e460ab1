using System.Text;
using Cairn.Core.Forges;
using Polly.Timeout;

namespace Cairn.Forges.Statuses;

/// <summary>Sends one status post through the forges' client (<see cref="ForgeHttp"/>: quick retries, a timeout per
/// attempt) and turns every ending into a <see cref="StatusDelivery"/>. Only the caller's cancellation escapes as an
/// exception.</summary>
internal sealed class StatusPoster(IHttpClientFactory clients, TimeProvider time, StatusSendOptions options)
{
    private const int LongestErrorBody = 16 * 1024;

    /// <param name="forge">The forge's name, for reasons (<c>github answered 422: ...</c>).</param>
    /// <param name="request">Makes the request; the resilience handler sends a copy of it for each attempt.</param>
    /// <param name="alreadyDelivered">A refusal that means the status is already there.</param>
    public async Task<StatusDelivery> SendAsync(
        string forge, Func<HttpRequestMessage> request, Func<ForgeReply, bool>? alreadyDelivered, CancellationToken cancellationToken)
    {
        ForgeReply reply;
        try
        {
            reply = await SendOnceAsync(request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return new StatusDelivery.Retry($"{forge} did not answer within {Seconds(options.AttemptTimeout)}", null);
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

    private async Task<ForgeReply> SendOnceAsync(Func<HttpRequestMessage> makeRequest, CancellationToken cancellationToken)
    {
        using var http = clients.CreateClient(ForgeHttp.ClientName);
        using var request = makeRequest();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return new ForgeReply(status, "", null, RateLimited: false);
        }

        var body = await ReadStartAsync(response.Content, cancellationToken);
        return new ForgeReply(
            status, ForgeReply.MessageOf(body, response.ReasonPhrase), ForgeAnswers.RetryAfter(response, time.GetUtcNow()), ForgeAnswers.IsRateLimited(response));
    }

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
