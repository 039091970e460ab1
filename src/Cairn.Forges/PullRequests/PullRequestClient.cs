using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Forges.Statuses;
using Polly.Timeout;

namespace Cairn.Forges.PullRequests;

/// <summary>One call of a forge's pull request API through the forges' client (<see cref="ForgeHttp"/>: quick retries,
/// a timeout per attempt), its JSON answer read whole (up to a bound). A network failure, a timeout, 429 or 5xx is a
/// <see cref="PullRequestResult.Retry"/>; any other refusal a <see cref="PullRequestResult.Rejected"/>, in the forge's
/// words. Only the caller's cancellation escapes as an exception.</summary>
internal sealed class PullRequestClient(IHttpClientFactory clients, TimeProvider time)
{
    private const int LongestBody = 4 * 1024 * 1024;

    // A pull request has no commit to name: the route is checked for its API URL, repository and token only.
    private static readonly string NoCommit = new('0', 40);

    /// <summary>Checks the target's API URL, repository name and token before anything is sent.</summary>
    public static bool TryRoute(
        PullRequestTarget target, string defaultApiUrl, RepositoryShape shape, [NotNullWhen(true)] out StatusRoute? route, [NotNullWhen(false)] out string? problem) =>
        StatusRoute.TryCreate(new StatusTarget(target.Repository, target.ApiUrl, target.Token, NoCommit), defaultApiUrl, shape, out route, out problem);

    /// <summary>A request of <paramref name="method"/> to <paramref name="uri"/>, with <paramref name="json"/> as its body when given.</summary>
    public static HttpRequestMessage Request(HttpMethod method, Uri uri, JsonObject? json)
    {
        var request = new HttpRequestMessage(method, uri);
        if (json is not null)
        {
            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        }

        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("cairn", null));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Sends the request <paramref name="make"/> makes (afresh for every attempt) and reads the answer: its
    /// JSON on success, else why it failed.</summary>
    public async Task<(JsonElement? Body, PullRequestResult? Failure)> SendAsync(
        string forge, Func<HttpRequestMessage> make, CancellationToken cancellationToken)
    {
        try
        {
            using var http = clients.CreateClient(ForgeHttp.ClientName);
            using var request = make();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var text = await ReadAsync(response.Content, cancellationToken);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var reply = new ForgeReply(
                    status, ForgeReply.MessageOf(text, response.ReasonPhrase), ForgeAnswers.RetryAfter(response, time.GetUtcNow()), ForgeAnswers.IsRateLimited(response));
                var reason = reply.Message.Length > 0 ? $"{forge} answered {status}: {reply.Message}" : $"{forge} answered {status}";
                return (null, reply.IsTransient ? new PullRequestResult.Retry(reason) : new PullRequestResult.Rejected(reason));
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                return (document.RootElement.Clone(), null);
            }
            catch (JsonException)
            {
                return (null, new PullRequestResult.Rejected($"{forge} answered {status} with a body that is not JSON"));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return (null, new PullRequestResult.Retry($"{forge} did not answer in time"));
        }
        catch (OperationCanceledException)
        {
            return (null, new PullRequestResult.Retry($"{forge} did not answer in time"));
        }
        catch (HttpRequestException error)
        {
            return (null, new PullRequestResult.Retry($"{forge} could not be reached: {error.Message}"));
        }
        catch (IOException error)
        {
            return (null, new PullRequestResult.Retry($"reading {forge}'s answer failed: {error.Message}"));
        }
    }

    /// <summary>The pull request an answer describes, by the fields the forge names its number and page with.</summary>
    public static PullRequestResult Opened(string forge, JsonElement body, string numberField, Func<JsonElement, string?> url, bool created)
    {
        var number = body.ValueKind == JsonValueKind.Object && body.TryGetProperty(numberField, out var n) && n.TryGetInt32(out var value) ? value : 0;
        var page = body.ValueKind == JsonValueKind.Object ? url(body) : null;
        return number > 0 && page is { Length: > 0 }
            ? new PullRequestResult.Opened(number, page, created)
            : new PullRequestResult.Rejected($"{forge}'s answer names no pull request");
    }

    private static async Task<string> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > LongestBody)
            {
                throw new IOException($"the answer is longer than {LongestBody / 1024 / 1024} MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
