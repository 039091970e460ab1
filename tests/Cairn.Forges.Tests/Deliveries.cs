using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests;

/// <summary>Webhook deliveries as each forge sends them: its headers, its signature over the raw body.</summary>
internal static class Deliveries
{
    /// <summary>The secret of GitHub's documented signature example.</summary>
    public const string Secret = "It's a Secret to Everybody";

    public const string DeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

    /// <summary>A documented payload sample from Payloads/, to read or change before sending.</summary>
    public static JsonObject Sample(string path) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", path)))!.AsObject();

    public static WebhookRequest Signed(ForgeKind forge, string eventName, JsonNode payload, string? deliveryId = DeliveryId, string secret = Secret) =>
        Signed(forge, eventName, Encoding.UTF8.GetBytes(payload.ToJsonString()), deliveryId, secret);

    public static WebhookRequest Signed(ForgeKind forge, string eventName, byte[] body, string? deliveryId = DeliveryId, string secret = Secret)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" };
        var hmac = Hmac(secret, body);
        switch (forge)
        {
            case ForgeKind.GitHub:
                headers["X-GitHub-Event"] = eventName;
                headers["X-Hub-Signature-256"] = $"sha256={hmac}";
                Add(headers, "X-GitHub-Delivery", deliveryId);
                break;
            case ForgeKind.Gitea:
                headers["X-Gitea-Event"] = eventName;
                headers["X-Gitea-Signature"] = hmac;
                Add(headers, "X-Gitea-Delivery", deliveryId);
                break;
            case ForgeKind.GitLab:
                headers["X-Gitlab-Event"] = eventName;
                headers["X-Gitlab-Token"] = secret;
                Add(headers, "X-Gitlab-Event-UUID", deliveryId);
                break;
            case ForgeKind.Bitbucket:
                headers["X-Event-Key"] = eventName;
                headers["X-Hub-Signature"] = $"sha256={hmac}";
                Add(headers, "X-Request-UUID", deliveryId);
                break;
        }

        return new WebhookRequest(headers, body);
    }

    /// <summary>The same delivery with one header changed (null removes it).</summary>
    public static WebhookRequest WithHeader(this WebhookRequest request, string name, string? value)
    {
        var headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase);
        headers.Remove(name);
        Add(headers, name, value);
        return request with { Headers = headers };
    }

    public static string Hmac(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static TriggerEvent Trigger(this WebhookEvent parsed) =>
        Assert.IsType<WebhookEvent.Trigger>(parsed).Event;

    public static string IgnoredReason(this WebhookEvent parsed) =>
        Assert.IsType<WebhookEvent.Ignored>(parsed).Reason;

    private static void Add(Dictionary<string, string> headers, string name, string? value)
    {
        if (value is not null)
        {
            headers[name] = value;
        }
    }
}
