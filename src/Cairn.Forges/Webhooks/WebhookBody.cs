using System.Buffers;
using System.Text.Json;
using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>Opens a delivery's body as JSON, whatever the sender put in it: every way it can be wrong ends as a
/// <see cref="WebhookFormatException"/> with a short message that is safe to answer with.</summary>
internal static class WebhookBody
{
    /// <summary>GitHub caps payloads at 25 MB; no forge sends more for the events Cairn reads. The server refuses
    /// bodies over its own, lower, limit before they get here.</summary>
    public const int MaxBytes = 25 * 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>The body as a JSON document whose root is an object. Only for a verified delivery: the document costs
    /// memory in proportion to the body.</summary>
    public static JsonDocument Open(WebhookRequest request)
    {
        using var json = Json(request);
        JsonDocument document;
        try
        {
            // A document keeps the memory it was parsed from, and a form's payload is only lent.
            document = JsonDocument.Parse(json.IsLent ? json.Bytes.ToArray() : json.Bytes, Options);
        }
        catch (JsonException)
        {
            throw new WebhookFormatException("the body is not valid JSON");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new WebhookFormatException("the body is not a JSON object");
        }

        return document;
    }

    /// <summary>The JSON the body carries, not yet checked as JSON. GitHub and Gitea may also be set to send it as the
    /// <c>payload</c> field of a form: that field is decoded into a buffer lent from the pool until disposed.</summary>
    public static PayloadJson Json(WebhookRequest request)
    {
        var body = request.Body;
        if (body.Length > MaxBytes)
        {
            throw new WebhookFormatException($"the body is larger than {MaxBytes / (1024 * 1024)} MB");
        }

        var json = IsForm(request.Header("Content-Type")) ? FormPayload.Decode(body.Span) : new PayloadJson(body, lent: null);
        if (json.Bytes.IsEmpty)
        {
            json.Dispose();
            throw new WebhookFormatException("the body is empty");
        }

        return json;
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A payload's JSON, without a leading byte order mark; when it was decoded from a form, the buffer that
/// holds it goes back to the pool on <see cref="Dispose"/>.</summary>
internal readonly struct PayloadJson : IDisposable
{
    private readonly byte[]? _lent;

    public PayloadJson(ReadOnlyMemory<byte> bytes, byte[]? lent)
    {
        _lent = lent;
        Bytes = bytes.Span.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public bool IsLent => _lent is not null;

    public void Dispose()
    {
        if (_lent is not null)
        {
            ArrayPool<byte>.Shared.Return(_lent);
        }
    }
}
