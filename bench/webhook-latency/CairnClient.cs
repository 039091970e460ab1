using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Bench.WebhookLatency;

/// <summary>What one signed push delivery got: when it left (wall clock, µs since the epoch), how long the answer took,
/// and the journal entry it made.</summary>
internal sealed record Delivery(long SentAtMicros, double AnswerMs, long EventId);

/// <summary>The server's own timestamps (ms resolution, as it stores them) of the run a delivery started.</summary>
internal sealed record RunTimes(
    long RunId, string Status, DateTimeOffset ReceivedAt, DateTimeOffset CreatedAt, DateTimeOffset? JobStartedAt, DateTimeOffset? StepStartedAt);

/// <summary>The parts of <c>cairn server</c>'s HTTP API the benchmark uses, over one kept-alive connection.</summary>
internal sealed class CairnClient(Uri server, string adminToken) : IDisposable
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = server,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Adds a GitHub repository whose statuses go to <paramref name="apiUrl"/> (with a status token, as a real
    /// one would have, so that every run's statuses are projected and sent).</summary>
    public async Task AddRepositoryAsync(string name, string cloneUrl, string apiUrl, string webhookSecret, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { name, forge = "github", cloneUrl, apiUrl, webhookSecret, statusToken = "bench" });
        using var request = Authorized(HttpMethod.Post, "api/v1/repos");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"adding {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Sends a GitHub push of <paramref name="after"/> onto main, signed with <paramref name="secret"/>.</summary>
    public async Task<Delivery> SendPushAsync(string repository, string before, string after, string secret, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(
            $$$"""{"ref":"refs/heads/main","before":"{{{before}}}","after":"{{{after}}}","repository":{"full_name":"{{{repository}}}"},"sender":{"login":"b"}}""");
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        using var request = new HttpRequestMessage(HttpMethod.Post, "hooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", $"sha256={signature}");

        var sentAt = WallClock.NowMicros();
        var clock = Stopwatch.StartNew();
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var answerMs = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"the push of {after} answered {(int)response.StatusCode}: {text}");
        }

        using var answer = JsonDocument.Parse(text);
        return new Delivery(sentAt, answerMs, answer.RootElement.GetProperty("eventId").GetInt64());
    }

    /// <summary>Waits until the run that <paramref name="eventId"/> started has ended, and returns its timestamps.</summary>
    public async Task<RunTimes> WaitForRunAsync(long eventId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        long? runId = null;
        while (deadline.Elapsed < timeout)
        {
            using var entry = await GetAsync($"api/v1/events/{eventId}", cancellationToken);
            var e = entry.RootElement;
            var state = e.GetProperty("state").GetString();
            if (state is "ignored" or "failed")
            {
                throw new InvalidOperationException($"event {eventId} was {state}: {e.GetProperty("detail")}");
            }

            runId ??= e.GetProperty("runId").ValueKind == JsonValueKind.Number ? e.GetProperty("runId").GetInt64() : null;
            if (runId is { } id)
            {
                using var run = await GetAsync($"api/v1/runs/{id}", cancellationToken);
                var r = run.RootElement;
                var status = r.GetProperty("status").GetString()!;
                if (status is not ("queued" or "running" or "pending"))
                {
                    var job = r.GetProperty("jobs")[0];
                    var step = job.GetProperty("steps").EnumerateArray().FirstOrDefault();
                    return new RunTimes(
                        id,
                        status,
                        e.GetProperty("receivedAt").GetDateTimeOffset(),
                        r.GetProperty("createdAt").GetDateTimeOffset(),
                        TimeOrNull(job, "startedAt"),
                        step.ValueKind == JsonValueKind.Object ? TimeOrNull(step, "startedAt") : null);
                }
            }

            await Task.Delay(PollEvery, cancellationToken);
        }

        throw new TimeoutException($"the run of event {eventId} did not end within {timeout.TotalSeconds:F0} s");
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text)
            : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return request;
    }

    private static DateTimeOffset? TimeOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;
}

/// <summary>The wall clock in microseconds since the epoch: what bash's <c>$EPOCHREALTIME</c> gives the step.</summary>
internal static class WallClock
{
    public static long NowMicros() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

    public static long ToMicros(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).Ticks / 10;

    /// <summary>Reads <c>$EPOCHREALTIME</c> as written ("1700000000.123456", a comma in some locales).</summary>
    public static long ParseEpochRealtime(string text) =>
        (long)Math.Round(decimal.Parse(text.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 1_000_000m);
}
