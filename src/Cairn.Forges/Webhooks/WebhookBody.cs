using System.Net;
using System.Text;
using System.Text.Json;
using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>Opens a delivery's body as JSON, whatever the sender put in it: every way it can be wrong ends as a
/// <see cref="WebhookFormatException"/> with a short message that is safe to answer with.</summary>
internal static class WebhookBody
{
    /// <summary>GitHub caps payloads at 25 MB; no forge sends more for the events Cairn reads.</summary>
    public const int MaxBytes = 25 * 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>The body as a JSON document whose root is an object. GitHub and Gitea may also be set to send the
    /// JSON as the <c>payload</c> field of a form; that is read too.</summary>
    public static JsonDocument Open(WebhookRequest request)
    {
        var body = request.Body;
        if (body.Length > MaxBytes)
        {
            throw new WebhookFormatException($"the body is larger than {MaxBytes / (1024 * 1024)} MB");
        }

        if (IsForm(request.Header("Content-Type")))
        {
            body = FormPayload(body);
        }

        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (body.IsEmpty)
        {
            throw new WebhookFormatException("the body is empty");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
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

    private static bool IsForm(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static ReadOnlyMemory<byte> FormPayload(ReadOnlyMemory<byte> body)
    {
        var form = Encoding.UTF8.GetString(body.Span);
        foreach (var field in form.Split('&'))
        {
            if (field.StartsWith("payload=", StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetBytes(WebUtility.UrlDecode(field["payload=".Length..]));
            }
        }

        throw new WebhookFormatException("the form body has no 'payload' field");
    }
}
