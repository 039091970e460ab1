using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cairn.Server.Tests;

/// <summary>One Server-Sent Event as it came: a comment has the type ":" and its text as data.</summary>
public sealed record SseEvent(string? Id, string Type, string Data)
{
    public const string Comment = ":";

    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>An open event stream of the server, read event by event, each read with a deadline so that a test never
/// hangs on a stream that stays quiet.</summary>
public sealed class SseStream : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public HttpResponseMessage Response => response;

    /// <summary>Opens <paramref name="path"/>; the answer may be an error, which <see cref="Response"/> shows.</summary>
    public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        return new SseStream(response, new StreamReader(body, Encoding.UTF8));
    }

    /// <summary>The next event or comment; null when the server ended the stream.</summary>
    public async Task<SseEvent?> NextAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        string? id = null;
        string? type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (type == SseEvent.Comment || data.Count > 0)
                {
                    return new SseEvent(id, type ?? "message", string.Join('\n', data));
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                type = SseEvent.Comment;
                data.Add(line[1..].Trim());
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line[6..]);
            }
            else
            {
                Assert.Fail($"not a line of an event stream: '{line}'");
            }
        }

        return null;
    }

    /// <summary>Events (comments left out) up to and including the first that <paramref name="last"/> accepts.</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> last)
    {
        var events = new List<SseEvent>();
        while (await NextAsync() is { } next)
        {
            if (next.Type == SseEvent.Comment)
            {
                continue;
            }

            events.Add(next);
            if (last(next))
            {
                return events;
            }
        }

        Assert.Fail($"the stream ended after {events.Count} events without the one awaited");
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        await Task.CompletedTask;
    }
}
