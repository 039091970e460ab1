using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>The one HTTP connection of a worker process to its server: bearer token, version header, a time limit per
/// call, and retries with exponential backoff and jitter on network errors, timeouts, 5xx, 408 and 429 (following
/// <c>Retry-After</c>); any other 4xx fails at once. A small loop rather than a resilience pipeline: each try must be
/// classified and said on its own line, and how long to go on differs per call (a heartbeat gives up when its beat is
/// over, a log batch never does), which a loop states plainly.</summary>
public sealed class WorkerConnection : IDisposable
{
    private readonly HttpClient _http;
    private readonly WorkerConnectionOptions _options;
    private readonly CancellationTokenSource _refused = new();

    public WorkerConnection(WorkerConnectionOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            BaseAddress = options.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        _http.DefaultRequestHeaders.TryAddWithoutValidation(WorkerPaths.VersionHeader, options.Version);
    }

    public Uri Server => _options.Server;

    /// <summary>The worker's token, for git's fetch from the server (never logged).</summary>
    internal string Token => _options.Token;

    /// <summary>Cancelled once the server refused the worker's token: the process must stop.</summary>
    public CancellationToken Refused => _refused.Token;

    /// <summary>Calls the server, retrying what may pass, until it answers success, fails for good, <paramref name="giveUpAfter"/>
    /// has passed since the first try (then the last failure is thrown), or <paramref name="cancellationToken"/>.</summary>
    /// <param name="what">What the call is, for the lines that say a try failed (<c>heartbeat of job 12</c>).</param>
    /// <param name="wait">How long the server may hold the call (a long poll): added to the call's time limit.</param>
    /// <returns>The status and the answer read with <paramref name="answer"/> (default for 204 or without one).</returns>
    public async Task<(HttpStatusCode Status, TAnswer? Value)> CallAsync<TAnswer>(
        string what,
        HttpMethod method,
        string path,
        byte[]? body,
        JsonTypeInfo<TAnswer>? answer,
        TimeSpan wait,
        TimeSpan? giveUpAfter,
        CancellationToken cancellationToken)
    {
        return await RetryAsync(what, giveUpAfter, () => TryOnceAsync(method, path, body, answer, wait, cancellationToken), cancellationToken);
    }

    /// <summary>Sends <paramref name="content"/> (seekable: it is read again from where it stands now on each try) as the
    /// body, retrying as <see cref="CallAsync{TAnswer}"/> does; the body is streamed, never held whole.</summary>
    /// <param name="transfer">How long the upload may take, beyond the call's time limit.</param>
    public async Task<(HttpStatusCode Status, TAnswer? Value)> SendStreamAsync<TAnswer>(
        string what, HttpMethod method, string path, Stream content, string contentType, JsonTypeInfo<TAnswer> answer, TimeSpan transfer,
        TimeSpan? giveUpAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.Position;
        return await RetryAsync(what, giveUpAfter, () =>
        {
            content.Position = start;
            return TryOnceAsync(method, path, () => new StreamContent(new KeptOpenStream(content), 81920) { Headers = { ContentType = new MediaTypeHeaderValue(contentType), ContentLength = content.Length - start } },
                HttpCompletionOption.ResponseContentRead, transfer, async (response, token) => (response.StatusCode,
                    response.StatusCode == HttpStatusCode.NoContent ? default : await response.Content.ReadFromJsonAsync(answer, token)), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Opens a <c>GET</c>'s answer as a stream once its headers have come (the caller reads it to its end and
    /// disposes it), retrying what may pass until then.</summary>
    public Task<Stream> OpenStreamAsync(string what, string path, TimeSpan? giveUpAfter, CancellationToken cancellationToken) =>
        RetryAsync(what, giveUpAfter, () => TryOnceAsync(
            HttpMethod.Get, path, () => null, HttpCompletionOption.ResponseHeadersRead, TimeSpan.Zero,
            async (response, token) => (Stream)new ResponseStream(response, await response.Content.ReadAsStreamAsync(token)), cancellationToken,
            keepResponse: true), cancellationToken);

    private async Task<T> RetryAsync<T>(string what, TimeSpan? giveUpAfter, Func<Task<T>> once, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter;
            try
            {
                return await once();
            }
            catch (RetryableCallException ex)
            {
                retryAfter = ex.RetryAfter;
                var delay = retryAfter ?? Backoff(attempt);
                if (giveUpAfter is { } limit && TimeSpan.FromMilliseconds(Environment.TickCount64 - started) + delay > limit)
                {
                    await _options.Log.WriteLineAsync($"cairn worker: {what} failed ({Describe(ex.Failure)}); giving up for now");
                    throw ex.Failure;
                }

                await _options.Log.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture, $"cairn worker: {what} failed ({Describe(ex.Failure)}); retrying in {delay.TotalSeconds:0.0} s"));
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>JSON of a request, in the protocol's one shape.</summary>
    public static byte[] Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    public void Dispose()
    {
        _http.Dispose();
        _refused.Dispose();
    }

    private static string Describe(WorkerCallException failure) => failure.Status is { } status
        ? $"{WorkerCallException.Name(failure.Class)} {(int)status}: {failure.Detail}"
        : $"{WorkerCallException.Name(failure.Class)}: {failure.Detail}";

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.MaxDelay.TotalSeconds, _options.FirstDelay.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 30)));

        // Half fixed, half random: workers that lost the server together do not come back together.
        return TimeSpan.FromSeconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private Task<(HttpStatusCode, TAnswer?)> TryOnceAsync<TAnswer>(
        HttpMethod method, string path, byte[]? body, JsonTypeInfo<TAnswer>? answer, TimeSpan wait, CancellationToken cancellationToken) =>
        TryOnceAsync(
            method,
            path,
            () => body is null ? null : new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            HttpCompletionOption.ResponseContentRead,
            wait,
            async (response, token) => answer is null || response.StatusCode == HttpStatusCode.NoContent
                ? (response.StatusCode, default)
                : (response.StatusCode, await response.Content.ReadFromJsonAsync(answer, token)),
            cancellationToken);

    private async Task<T> TryOnceAsync<T>(
        HttpMethod method, string path, Func<HttpContent?> content, HttpCompletionOption completion, TimeSpan wait,
        Func<HttpResponseMessage, CancellationToken, Task<T>> success, CancellationToken cancellationToken, bool keepResponse = false)
    {
        var limit = _options.CallTimeout + wait;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = content() };
            response = await _http.SendAsync(request, completion, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                // A kept answer is read after this call, under the caller's token, not the call's time limit.
                var value = await success(response, keepResponse ? cancellationToken : timeout.Token);
                if (keepResponse)
                {
                    response = null;
                }

                return value;
            }

            throw await FailureAsync(response, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RetryableCallException(new WorkerCallException(
                WorkerCallClass.Timeout, null, string.Create(CultureInfo.InvariantCulture, $"no answer within {limit.TotalSeconds:0.#} s")), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or JsonException)
        {
            throw new RetryableCallException(new WorkerCallException(WorkerCallClass.Network, null, Innermost(ex).Message, ex), null);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<Exception> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (type, detail) = await ProblemAsync(response, cancellationToken);
        var status = response.StatusCode;
        detail ??= response.ReasonPhrase ?? status.ToString();
        if (status == HttpStatusCode.Unauthorized)
        {
            await _refused.CancelAsync();
            return new WorkerTokenRefusedException(detail);
        }

        if (status == HttpStatusCode.Conflict && type == WorkerProblems.LeaseLost)
        {
            return new LeaseLostException(detail);
        }

        var failure = new WorkerCallException(WorkerCallClass.HttpStatus, status, detail) { ProblemType = type };
        if ((int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            return new RetryableCallException(failure, RetryAfter(response));
        }

        return failure;
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var after = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (after is not { } value)
        {
            return null;
        }

        return value < TimeSpan.Zero ? TimeSpan.Zero : value > _options.MaxRetryAfter ? _options.MaxRetryAfter : value;
    }

    private static async Task<(string? Type, string? Detail)> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length == 0 || text.Length > 64 << 10)
            {
                return (null, null);
            }

            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            return (Text(json.RootElement, "type"), Text(json.RootElement, "detail") ?? Text(json.RootElement, "title"));
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner;
        }

        return ex;
    }

    /// <summary>A failure worth another try, and when the server asked for it.</summary>
    private sealed class RetryableCallException(WorkerCallException failure, TimeSpan? retryAfter) : Exception(failure.Message, failure)
    {
        public WorkerCallException Failure { get; } = failure;

        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
