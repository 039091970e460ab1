using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>A commit's CI state, as every forge's status, check or pipeline event says it, in Cairn's three words:
/// <c>pending</c>, <c>passing</c>, <c>failing</c>.</summary>
internal static class CheckStates
{
    public const string Pending = "pending";
    public const string Passing = "passing";
    public const string Failing = "failing";

    private const int LongestDetail = 120;

    /// <summary>The event for <paramref name="sha"/> in <paramref name="state"/>, or ignored when the forge's word is
    /// none Cairn maps (<paramref name="state"/> null) or the SHA is not one.</summary>
    public static WebhookEvent Event(string what, string? sha, string? state, string detail)
    {
        if (!WebhookEvents.IsSha(sha))
        {
            return new WebhookEvent.Ignored($"{what} names no commit");
        }

        return state is null
            ? new WebhookEvent.Ignored($"{what} of {sha![..7]} says nothing of its checks")
            : new WebhookEvent.Checks(sha!.ToLowerInvariant(), state, WebhookEvents.Quote(Clip(detail)));
    }

    /// <summary><c>name: word</c>, or the word alone when there is no name.</summary>
    public static string Detail(string? name, string? word) =>
        name is { Length: > 0 } ? $"{name}: {word ?? "?"}" : word ?? "?";

    private static string Clip(string text) => text.Length <= LongestDetail ? text : text[..LongestDetail];
}
