namespace Cairn.Forges.Statuses;

/// <summary>Sends through a handler that stays its owner's: the factory may retire this wrapper, never the handler.</summary>
internal sealed class KeptHandler(HttpMessageHandler handler) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);
}

/// <summary>Sends each attempt through a caller's <see cref="HttpClient"/>, so that its handlers and its own timeout
/// apply to every attempt. A client sends a request message once, so each attempt sends a copy.</summary>
internal sealed class CallerClientHandler(HttpClient client) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Content is { } content)
        {
            copy.Content = new ByteArrayContent(await content.ReadAsByteArrayAsync(cancellationToken));
            foreach (var header in content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return await client.SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
