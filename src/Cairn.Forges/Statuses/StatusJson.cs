using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Cairn.Forges.Statuses;

/// <summary>The body and the request every status post shares.</summary>
internal static class StatusJson
{
    /// <summary>A JSON object of the fields that have a value.</summary>
    public static string Write(params ReadOnlySpan<(string Name, string? Value)> fields)
    {
        var json = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                json[name] = value;
            }
        }

        return json.ToJsonString();
    }

    /// <summary><paramref name="text"/> cut to <paramref name="length"/> characters, an ellipsis showing the cut.</summary>
    public static string Clip(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = length - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>A POST of <paramref name="json"/>, made afresh for every attempt (a request is sent only once).</summary>
    public static HttpRequestMessage Post(Uri uri, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("cairn", null));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }
}
