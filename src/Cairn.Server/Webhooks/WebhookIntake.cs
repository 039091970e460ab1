using System.Buffers;
using Cairn.Core.Pipelines;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Webhooks;

/// <summary>How a webhook's body comes in while nobody knows who sent it: refused unread when it says it is too long,
/// read only in one of a few turns, cut off past the limit or when it arrives too slowly, and held in pooled memory.
/// Whatever strangers send, the server holds at most <see cref="ServerSettings.WebhookConcurrency"/> bodies of at most
/// <see cref="ServerSettings.WebhookMaxBody"/> bytes, in buffers of a pool of its own that keeps no more than one of each
/// size per turn (the shared pool also keeps one per thread, and threads come and go).</summary>
internal sealed class WebhookIntake(ServerSettings settings, ServerRuntime runtime) : IDisposable
{
    /// <summary>What a sender refused for want of a turn is asked to wait, in seconds.</summary>
    public const string RetryAfterSeconds = "5";

    private readonly SemaphoreSlim _turns = new(settings.WebhookConcurrency, settings.WebhookConcurrency);
    private readonly ArrayPool<byte> _buffers = ArrayPool<byte>.Create(settings.WebhookMaxBody, settings.WebhookConcurrency);

    public int MaxBody => settings.WebhookMaxBody;

    /// <summary>How many more bodies could be read at once right now.</summary>
    public int FreeTurns => _turns.CurrentCount;

    /// <summary>Sets Kestrel's own limit for this request's body; a 413 when its Content-Length is over the limit
    /// (nothing of it is read then), else null.</summary>
    public IResult? RefuseByLength(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // Kestrel counts a chunked body's framing too (the chunk sizes and line ends), and would refuse a chunked body
            // just under the limit: such a body gets room for its framing here, and PooledBody counts its own bytes.
            size.MaxRequestBodySize = context.Request.ContentLength is null ? 2L * MaxBody : MaxBody;
        }

        return context.Request.ContentLength > MaxBody ? TooLarge(context) : null;
    }

    /// <summary>Waits a few seconds at most for a turn; false when none came. A true must be followed by <see cref="Leave"/>.</summary>
    public async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        if (_turns.Wait(0, CancellationToken.None))
        {
            return true;
        }

        using var wait = new CancellationTokenSource(runtime.WebhookTurnWait, runtime.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, cancellationToken);
        try
        {
            await _turns.WaitAsync(either.Token);
            return true;
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Leave() => _turns.Release();

    /// <summary>The body, or the answer to give instead: 413 past the limit, 408 when it did not arrive in time, or
    /// what the server found wrong with the request's framing.</summary>
    public async Task<(PooledBody? Body, IResult? Refusal)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var deadline = new CancellationTokenSource(runtime.WebhookReadTimeout, runtime.Time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            var body = await PooledBody.ReadAsync(_buffers, context.Request.Body, context.Request.ContentLength, MaxBody, either.Token);
            return body is null ? (null, TooLarge(context)) : (body, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(context));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Closing(context, Results.Problem(ex.Message, statusCode: ex.StatusCode, title: "The request is not valid")));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, Closing(context, Results.Problem(
                $"the body did not arrive within {Core.Pipelines.Duration.Format(runtime.WebhookReadTimeout)}",
                statusCode: StatusCodes.Status408RequestTimeout,
                title: "Too slow")));
        }
    }

    /// <summary>503 with Retry-After: every turn stayed taken.</summary>
    public static IResult Busy(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return Closing(context, Results.Problem(
            "the server is busy reading other webhooks; send this one again later",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Busy"));
    }

    public void Dispose() => _turns.Dispose();

    private IResult TooLarge(HttpContext context) => Closing(context, Results.Problem(
        $"the body is larger than {ByteSize.Format(MaxBody)} (the server's --webhook-max-body)",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Too large"));

    /// <summary>The rest of a body that was not read is not waited for: an HTTP/1.1 connection ends with the answer
    /// (HTTP/2 ends just the stream, by itself).</summary>
    private static IResult Closing(HttpContext context, IResult result)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }

        return result;
    }
}
