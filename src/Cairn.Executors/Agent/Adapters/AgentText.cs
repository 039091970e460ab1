using System.Globalization;
using System.Text.Json;
using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>What every adapter shares: a tool call said in one line, a tool's output shortened, a failure message read as
/// an <see cref="AgentResultKind"/>, and lenient reads of JSON fields.</summary>
internal static class AgentText
{
    public const int MaxSummary = 200;

    /// <summary>A tool call in one line: <c>Edit src/a.cs</c>, <c>Bash: dotnet test</c>, <c>Grep TODO</c>.</summary>
    public static string SummarizeCall(string tool, JsonElement input)
    {
        string? Field(params string[] names)
        {
            if (input.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in names)
            {
                if (input.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s)
                {
                    return s;
                }
            }

            return null;
        }

        if (Field("command", "cmd") is { } command)
        {
            return Shorten($"{tool}: {command}");
        }

        if (Field("file_path", "path", "notebook_path", "absolute_path", "dir_path") is { } path)
        {
            return Shorten($"{tool} {path}");
        }

        if (Field("pattern", "query", "url", "description") is { } what)
        {
            return Shorten($"{tool} {what}");
        }

        return Shorten(tool);
    }

    /// <summary>The first line, then <c>(N more lines)</c>, at most <see cref="MaxSummary"/> characters.</summary>
    public static string Shorten(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var trimmed = text.Trim('\n', '\r');
        var lines = trimmed.Split('\n');
        var first = lines[0].TrimEnd('\r');
        var more = lines.Length - 1;
        var suffix = more > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({more} more line{(more == 1 ? "" : "s")})") : "";
        var room = MaxSummary - suffix.Length;
        if (first.Length > room)
        {
            first = string.Concat(first.AsSpan(0, Math.Max(0, room - 1)), "…");
        }

        return first + suffix;
    }

    /// <summary>How a CLI's failure message reads: credentials, permissions or configuration refused; else the API or
    /// the CLI failed.</summary>
    public static AgentResultKind Classify(string? message)
    {
        var m = message ?? "";
        string[] refused =
        [
            "authentication", "unauthorized", "invalid api key", "invalid x-api-key", "api key not valid", "api_key_invalid",
            "401", "403", "forbidden", "permission denied", "permission_denied", "not logged in", "please run /login",
            "unknown option", "invalid model", "model not found", "not_found_error", "billing", "credit balance",
        ];
        foreach (var word in refused)
        {
            if (m.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return AgentResultKind.Refused;
            }
        }

        return AgentResultKind.ApiError;
    }

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static long? Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : null;

    public static decimal? Decimal(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n)
            ? n
            : null;

    public static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Reads <paramref name="line"/> as one JSON object, or null when it is not one.</summary>
    public static JsonDocument? Object(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A tool result's content: a string, or the text blocks of an array.</summary>
    public static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? "";
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var parts = new List<string>();
        foreach (var block in content.EnumerateArray())
        {
            if (String(block, "text") is { } text)
            {
                parts.Add(text);
            }
        }

        return string.Join("\n", parts);
    }

    public static string Money(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
