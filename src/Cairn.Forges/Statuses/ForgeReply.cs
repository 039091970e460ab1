using System.Text;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Statuses;

/// <summary>What a forge answered to a status post, read while the attempt still ran: the status code, a short
/// message fit to record, and how long it asked to be left alone.</summary>
/// <param name="RateLimited">A 403 that is the forge's rate limit (GitHub's secondary limits), not a refusal.</param>
internal sealed record ForgeReply(int Status, string Message, TimeSpan? RetryAfter, bool RateLimited)
{
    private const int LongestMessage = 200;

    public bool IsSuccess => Status is >= 200 and < 300;

    public bool IsTransient => RateLimited || Status == 429 || Status is >= 500 and < 600;

    /// <summary>The error message of a forge's error body: GitHub's and Gitea's <c>message</c> (with GitHub's first
    /// validation error), GitLab's <c>message</c> or <c>error</c>, Bitbucket's <c>error.message</c>; else the text.</summary>
    public static string MessageOf(string body, string? reasonPhrase)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return reasonPhrase ?? "";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return Tidy(Extract(document.RootElement) ?? body);
        }
        catch (Exception error) when (error is JsonException or WebhookFormatException or InvalidOperationException)
        {
            return Tidy(body);
        }
    }

    private static string? Extract(JsonElement root)
    {
        if (root.Text("message") is { } message)
        {
            return root.At("errors") is { ValueKind: JsonValueKind.Array } errors && errors.GetArrayLength() > 0 && Detail(errors[0]) is { } detail
                ? $"{message} ({detail})"
                : message;
        }

        if (root.Text("error", "message") is { } nested)
        {
            return root.Text("error", "detail") is { } detail ? $"{nested} ({detail})" : nested;
        }

        // GitLab's validation errors are an object of fields and their complaints.
        return root.Text("error_description") ?? root.Text("error") ?? root.At("message")?.GetRawText();
    }

    private static string? Detail(JsonElement error) =>
        error.ValueKind == JsonValueKind.String ? error.GetString()
        : error.Text("message") ?? (error.Text("field") is { } field ? $"{field}: {error.Text("code")}" : null);

    /// <summary>One line, no control characters, short enough to keep in a row.</summary>
    private static string Tidy(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, LongestMessage + 1));
        foreach (var c in text)
        {
            var next = char.IsControl(c) || char.IsWhiteSpace(c) ? ' ' : c;
            if (next == ' ' && (line.Length == 0 || line[^1] == ' '))
            {
                continue;
            }

            line.Append(next);
            if (line.Length > LongestMessage)
            {
                return StatusJson.Clip(line.ToString(), LongestMessage);
            }
        }

        return line.ToString().TrimEnd();
    }
}
