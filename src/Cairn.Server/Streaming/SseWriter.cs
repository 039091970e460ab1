using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
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

    /// <summary>The response itself, for a writer that sends events on this stream's behalf while the stream writes nothing
    /// (see <see cref="LiveFollower"/>).</summary>
    public PipeWriter Body => _response.BodyWriter;

    /// <summary>Says that events went out through <see cref="Body"/>, so that no keep-alive is due yet.</summary>
    public void NoteWritten() => _lastWrite = _time.GetTimestamp();

    /// <summary>How long until a keep-alive is due (zero when it is).</summary>
    public TimeSpan UntilKeepAlive
    {
        get
        {
            var left = _keepAlive - _time.GetElapsedTime(_lastWrite);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>One event as bytes, ready for <see cref="AddEncoded"/>: for an event many streams send alike.</summary>
    public static byte[] Encode(long? id, string? type, Action<Utf8JsonWriter> writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var json = new Utf8JsonWriter(buffer, JsonOptions);
        Write(buffer, json, id, type, writeData);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Adds an event made by <see cref="Encode"/>; sent at the next flush.</summary>
    public void AddEncoded(ReadOnlySpan<byte> encoded) => _pending.Write(encoded);

    /// <summary>Adds an event whose data <paramref name="writeData"/> writes as one JSON value; sent at the next flush.</summary>
    public void Add(long? id, string? type, Action<Utf8JsonWriter> writeData) => Write(_pending, _json, id, type, writeData);

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

        Ascii(_pending, ": keep-alive\n\n");
        await FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();

    private static void Write(ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, long? id, string? type, Action<Utf8JsonWriter> writeData)
    {
        if (id is { } eventId)
        {
            Ascii(buffer, "id: ");
            Ascii(buffer, eventId.ToString(CultureInfo.InvariantCulture));
            Ascii(buffer, "\n");
        }

        if (type is not null)
        {
            Ascii(buffer, "event: ");
            Ascii(buffer, type);
            Ascii(buffer, "\n");
        }

        Ascii(buffer, "data: ");
        json.Reset(buffer);
        writeData(json);
        json.Flush();
        Ascii(buffer, "\n\n");
    }

    private static void Ascii(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        buffer.Advance(written);
    }
}
