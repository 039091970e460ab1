using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cairn.Cli.Output;

/// <summary>The few JSON documents <c>--json</c> prints that are not one server answer as it came.</summary>
internal static class JsonPages
{
    /// <summary>Several pages of a list as one: <c>{"items":[…all…],"next":null}</c>, each item as the server wrote it.</summary>
    public static string Merge(IEnumerable<string> pages) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("items");
        foreach (var page in pages)
        {
            using var document = JsonDocument.Parse(page);
            foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
            {
                item.WriteTo(json);
            }
        }

        json.WriteEndArray();
        json.WriteNull("next");
        json.WriteEndObject();
    });

    /// <summary>What <c>cairn repo remove --json</c> prints, the server having answered 204 with no body.</summary>
    public static string Removed(string repository) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("name", repository);
        json.WriteBoolean("removed", true);
        json.WriteEndObject();
    });

    /// <summary>What <c>cairn secret remove --json</c> prints, the server having answered 204 with no body.</summary>
    public static string RemovedSecret(string name, string? scope) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        if (scope is null)
        {
            json.WriteNull("scope");
        }
        else
        {
            json.WriteString("scope", scope);
        }

        json.WriteBoolean("removed", true);
        json.WriteEndObject();
    });

    /// <summary>What <c>cairn logs --json</c> prints: the plain-text log as a string, with the job it belongs to.</summary>
    public static string Log(long runId, long jobId, string job, string log) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("runId", runId);
        json.WriteNumber("jobId", jobId);
        json.WriteString("job", job);
        json.WriteString("log", log);
        json.WriteEndObject();
    });

    /// <summary>What a command prints with <c>--json</c> when the server answered 204 with no body: what it named, and
    /// <c>"<paramref name="done"/>": true</c> (<c>{"user":"alice","removed":true}</c>).</summary>
    public static string Done(string done, params (string Name, string Value)[] fields) => Write(json =>
    {
        json.WriteStartObject();
        foreach (var (name, value) in fields)
        {
            json.WriteString(name, value);
        }

        json.WriteBoolean(done, true);
        json.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();

        // Read by scripts and people, never put into HTML: quotes and angle brackets stay as they are.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
