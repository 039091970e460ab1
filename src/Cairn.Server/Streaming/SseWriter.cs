using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Streaming;

/// <summary>Writes one Server-Sent Events response: events gathered into one write and flushed at once, and a keep-alive
/// comment whenever nothing was written for the keep-alive interval.</summary>
/// <remarks>Each event's data is one line of JSON (JSON escapes the line breaks a data line cannot hold).</remarks>
internal sealed class SseWriter : IDisposable
{
    public const string ContentType = "text/event-stream";

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpResponse _response;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keepAlive;
    private readonly ArrayBufferWriter<byte> _pending = new(16 * 1024);
    private readonly Utf8JsonWriter _json;
    private long _lastWrite;

    private SseWriter(HttpResponse response, TimeProvider time, TimeSpan keepAlive)
    {
        _response = response;
        _time = time;
        _keepAlive = keepAlive;
        _json = new Utf8JsonWriter(_pending, JsonOptions);
        _lastWrite = time.GetTimestamp();
    }

    /// <summary>Sends the headers at once (so the client knows it is connected before the first event), with buffering
    /// off and caches and proxies told to pass the stream through as it comes.</summary>
    public static async Task<SseWriter> StartAsync(HttpContext context, TimeProvider time, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        var response = context.Response;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        return new SseWriter(response, time, keepAlive);
    }

    /// <summary>How long until a keep-alive is due (zero when it is).</summary>
    public TimeSpan UntilKeepAlive
    {
        get
        {
            var left = _keepAlive - _time.GetElapsedTime(_lastWrite);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Adds an event whose data <paramref name="writeData"/> writes as one JSON value; sent at the next flush.</summary>
    public void Add(long? id, string? type, Action<Utf8JsonWriter> writeData)
    {
        if (id is { } eventId)
        {
            Ascii("id: ");
            Ascii(eventId.ToString(CultureInfo.InvariantCulture));
            Ascii("\n");
        }

        if (type is not null)
        {
            Ascii("event: ");
            Ascii(type);
            Ascii("\n");
        }

        Ascii("data: ");
        _json.Reset(_pending);
        writeData(_json);
        _json.Flush();
        Ascii("\n\n");
    }

    /// <summary>Sends what was added.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        await _response.Body.WriteAsync(_pending.WrittenMemory, cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
        _pending.ResetWrittenCount();
        _lastWrite = _time.GetTimestamp();
    }

    /// <summary>Sends <c>: keep-alive</c> when nothing went out for the keep-alive interval.</summary>
    public async Task KeepAliveIfDueAsync(CancellationToken cancellationToken)
    {
        if (UntilKeepAlive > TimeSpan.Zero)
        {
            return;
        }

        Ascii(": keep-alive\n\n");
        await FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();

    private void Ascii(string text)
    {
        var span = _pending.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        _pending.Advance(written);
    }
}
