using System.Security.Cryptography;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Plane;

/// <summary>Plane's webhooks: <c>X-Plane-Signature</c> is the bare hex HMAC-SHA256 of the raw body under the webhook's
/// secret (makeplane/plane apps/api/plane/bgtasks/webhook_task.py signs <c>json.dumps(payload)</c>, which is what
/// <c>requests</c> sends). Two body versions are read. v2: <c>version</c> "v2", <c>event</c> a dot name
/// (<c>workitem.updated</c>) or, as Plane's own example shows, the enum's repr
/// (<c>WebhookScope.ScopeChoices.WORK_ITEM_UPDATED</c>), <c>event_id</c>, <c>entity_id</c> and <c>data</c>, whose empty
/// values may be the string "None". v1: <c>event</c> an entity (<c>issue</c>, <c>issue_comment</c>), <c>action</c>
/// <c>created</c>/<c>create</c>/<c>updated</c>/<c>update</c>, <c>data</c> the serialized model and
/// <c>activity.actor</c>.</summary>
public static class PlaneWebhook
{
    public const string SignatureHeader = "X-Plane-Signature";

    /// <summary>True when the delivery's signature is the HMAC of its body under <paramref name="secret"/>; compared in
    /// constant time, and an empty secret proves nothing.</summary>
    public static bool Verify(WebhookRequest request, string secret)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WebhookSignature.IsValidHmac(request.Header(SignatureHeader), "", request.Body.Span, secret);
    }

    /// <summary>The dedupe key of a body that has no <c>event_id</c>: its SHA-256.</summary>
    public static string BodyKey(ReadOnlySpan<byte> body) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Reads a verified delivery. Throws <see cref="WebhookFormatException"/> for a body that is not a Plane
    /// delivery at all.</summary>
    public static PlaneDelivery Parse(WebhookRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var document = WebhookBody.Open(request);
        var root = document.RootElement;
        var data = root.At("data") ?? default;
        var hasData = data.ValueKind == JsonValueKind.Object;
        var rawEvent = root.RequiredText("event", "event");
        var v2 = root.Text("version") is { } version && version.StartsWith("v2", StringComparison.OrdinalIgnoreCase);
        if (v2)
        {
            var name = EventName(rawEvent);
            var comment = hasData && data.At("comment") is { ValueKind: JsonValueKind.Object } c && Value(c, "id") is { } commentId
                ? new PlaneCommentEvent(commentId, Value(c, "actor_id"), Value(c, "comment_stripped") ?? "")
                : null;
            var workItem = Value(root, "entity_id");
            if (name.StartsWith("workitem.link", StringComparison.Ordinal) && hasData)
            {
                workItem = Value(data, "issue_id") ?? workItem;
            }

            return new PlaneDelivery(
                Value(root, "event_id") ?? BodyKey(request.Body.Span),
                name,
                "v2",
                Value(root, "workspace_id"),
                hasData ? Value(data, "project_id") ?? Value(data, "project") : null,
                name.StartsWith("workitem", StringComparison.Ordinal) ? workItem : null,
                hasData ? Value(data, "name") : null,
                hasData ? Description(data) : null,
                hasData ? Labels(data) : [],
                comment?.Actor ?? (hasData ? Value(data, "updated_by_id") ?? Value(data, "created_by_id") : null),
                name == PlaneDelivery.CommentCreated ? comment : null);
        }

        var action = (root.Text("action") ?? "").ToLowerInvariant();
        var verb = action switch
        {
            "created" or "create" => "created",
            "updated" or "update" => "updated",
            "deleted" or "delete" => "deleted",
            _ => action,
        };
        var actor = root.At("activity", "actor") is { ValueKind: JsonValueKind.Object } who ? Value(who, "id") : root.Text("activity", "actor");
        var key = BodyKey(request.Body.Span);
        switch (rawEvent)
        {
            case "issue" when hasData:
                return new PlaneDelivery(
                    key, $"workitem.{verb}", "v1", Value(root, "workspace_id"), Value(data, "project_id") ?? Value(data, "project"),
                    Value(data, "id"), Value(data, "name"), Description(data), Labels(data), actor, null);
            case "issue_comment" when hasData:
                var id = Value(data, "id");
                var item = Value(data, "issue_id") ?? Value(data, "issue");
                var text = Value(data, "comment_stripped") ?? "";
                return new PlaneDelivery(
                    key, $"workitem.comment.{verb}", "v1", Value(root, "workspace_id"), Value(data, "project_id") ?? Value(data, "project"),
                    item, null, null, [], actor ?? Value(data, "actor"),
                    verb == "created" && id is not null ? new PlaneCommentEvent(id, actor ?? Value(data, "actor"), text) : null);
            default:
                return new PlaneDelivery(key, $"{rawEvent}.{verb}", "v1", Value(root, "workspace_id"), null, null, null, null, [], actor, null);
        }
    }

    /// <summary>The v2 dot name of an event, whether Plane wrote it so or as its enum's repr
    /// (<c>WebhookScope.ScopeChoices.WORK_ITEM_COMMENT_CREATED</c> → <c>workitem.comment.created</c>).</summary>
    public static string EventName(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (!raw.Contains("ScopeChoices.", StringComparison.Ordinal))
        {
            return raw.Trim().ToLowerInvariant();
        }

        var member = raw[(raw.LastIndexOf('.') + 1)..].ToLowerInvariant();
        if (member.StartsWith("work_item_", StringComparison.Ordinal))
        {
            member = "workitem_" + member["work_item_".Length..];
        }

        return member.Replace('_', '.');
    }

    /// <summary>A text field, reading Python's stringified <c>None</c> (and an empty string) as null.</summary>
    private static string? Value(JsonElement element, string name)
    {
        var value = element.At(name);
        var text = value switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
            _ => null,
        };
        return text is null or "" or "None" ? null : text;
    }

    private static string? Description(JsonElement data) =>
        Value(data, "description_stripped") ?? Value(data, "description_html") ?? Value(data, "description");

    private static List<string> Labels(JsonElement data)
    {
        var list = data.At("label_ids") ?? data.At("labels");
        if (list is not { ValueKind: JsonValueKind.Array } array)
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var label in array.EnumerateArray())
        {
            var id = label.ValueKind switch
            {
                JsonValueKind.String => label.GetString(),
                JsonValueKind.Object => Value(label, "id"),
                _ => null,
            };
            if (id is { Length: > 0 })
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
