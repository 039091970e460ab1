using System.Text.Json;
using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>Reads the few fields a payload is needed for, by path, without trusting their kind: a field that is
/// missing or of another kind reads as null, and a required one that does says so in a <see cref="WebhookFormatException"/>.</summary>
internal static class JsonFields
{
    /// <summary>The value at <paramref name="path"/>, or null when some step is missing, null or not an object.</summary>
    public static JsonElement? At(this JsonElement element, params ReadOnlySpan<string> path)
    {
        var current = element;
        try
        {
            foreach (var name in path)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Looking a name up unescapes the names beside it, where a broken escape shows.
            throw BrokenText();
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    public static string? Text(this JsonElement element, params ReadOnlySpan<string> path)
    {
        if (element.At(path) is not { ValueKind: JsonValueKind.String } value)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // The reader checks structure, not the UTF-8 or escapes inside strings; decoding is where they show.
            throw BrokenText();
        }
    }

    public static long? Number(this JsonElement element, params ReadOnlySpan<string> path) =>
        element.At(path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    public static bool IsTrue(this JsonElement element, params ReadOnlySpan<string> path) =>
        element.At(path) is { ValueKind: JsonValueKind.True };

    /// <summary>A string that must be there and not be empty; <paramref name="field"/> names it in the error.</summary>
    public static string RequiredText(this JsonElement element, string field, params ReadOnlySpan<string> path) =>
        element.Text(path) is { Length: > 0 } value ? value : throw new WebhookFormatException($"'{field}' is missing");

    public static int RequiredNumber(this JsonElement element, string field, params ReadOnlySpan<string> path) =>
        element.Number(path) is { } number && number is > 0 and <= int.MaxValue
            ? (int)number
            : throw new WebhookFormatException($"'{field}' is missing or not a positive number");

    private static WebhookFormatException BrokenText() =>
        new("the body holds text that is not valid UTF-8 or Unicode");
}
