using System.Text.Json;
using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>Reads the repository's name from a payload that is not yet trusted: one forward pass of a
/// <see cref="Utf8JsonReader"/> over the bytes as they came, which builds no document and copies nothing but the name.
/// The pass goes to the end, so a body that is not one JSON object is refused the same way whatever it names.</summary>
internal static class PayloadScan
{
    /// <summary>A name of the longest kind <see cref="WebhookEvents.Repository"/> takes, every character escaped.</summary>
    private const int LongestEncodedName = 6 * 1024;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    /// <summary>The repository's name at <paramref name="path"/> (object names from the root, e.g. <c>repository</c>,
    /// <c>full_name</c>), checked as <see cref="WebhookEvents.Repository"/> checks it. A payload that names it twice is
    /// refused: what is verified and what is parsed later must be the same name.</summary>
    public static string Repository(WebhookRequest request, params ReadOnlySpan<string> path)
    {
        var field = string.Join('.', path);
        using var json = WebhookBody.Json(request);
        return WebhookEvents.Repository(FindText(json.Bytes.Span, field, path), field);
    }

    private static string? FindText(ReadOnlySpan<byte> json, string field, ReadOnlySpan<string> path)
    {
        var reader = new Utf8JsonReader(json, Options);
        Span<bool> seen = stackalloc bool[path.Length];
        var inside = 0;
        string? found = null;
        try
        {
            reader.Read();
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            while (reader.Read())
            {
                if (isObject && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == inside + 1
                    && reader.ValueTextEquals(path[inside]))
                {
                    var level = inside;
                    if (seen[level])
                    {
                        throw new WebhookFormatException($"the payload names '{field}' more than once");
                    }

                    seen[level] = true;
                    reader.Read();
                    if (level == path.Length - 1)
                    {
                        found = reader.TokenType == JsonTokenType.String ? Text(ref reader, field) : null;
                    }
                    else if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        inside++;
                    }
                }
                else if (reader.TokenType == JsonTokenType.EndObject && inside > 0 && reader.CurrentDepth == inside)
                {
                    inside--;
                }
            }

            return isObject ? found : throw new WebhookFormatException("the body is not a JSON object");
        }
        catch (JsonException)
        {
            throw new WebhookFormatException("the body is not valid JSON");
        }
        catch (InvalidOperationException)
        {
            // The reader checks structure, not the UTF-8 or escapes inside strings; decoding is where they show.
            throw new WebhookFormatException("the body holds text that is not valid UTF-8 or Unicode");
        }
    }

    /// <summary>The string, unless it is too long to be a name: then it is not decoded at all.</summary>
    private static string? Text(ref Utf8JsonReader reader, string field)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        return length <= LongestEncodedName ? reader.GetString() : throw new WebhookFormatException($"'{field}' is not a usable name");
    }
}
