using Cairn.Core.Agents;

namespace Cairn.Executors.Agent;

/// <summary>How an agent's events read in the job's log: <c>assistant: …</c>, <c>tool: Edit src/a.cs</c>,
/// <c>  → result… (12 more lines)</c>, <c>retry: …</c>.</summary>
internal static class AgentLog
{
    private const int MaxShown = 400;

    public static IEnumerable<string> Lines(AgentEvent found) => found switch
    {
        AgentEvent.Session s => [$"session: {s.SessionId}{(s.Model is { } m ? $" ({m})" : "")}"],
        AgentEvent.Text t => [$"assistant: {Short(t.Content)}"],
        AgentEvent.ToolCall c => [$"tool: {(c.Summary.Length > 0 ? Short(c.Summary) : c.Tool)}"],
        AgentEvent.ToolResult r => [$"  → {(r.Denied ? "denied: " : r.IsError ? "error: " : "")}{Short(r.Summary)}"],
        AgentEvent.Retry r => [$"retry: {Short(r.Reason)}"],
        AgentEvent.Notice n => [$"note: {Short(n.Content)}"],
        AgentEvent.Malformed m => [$"unreadable: {Short(m.Line)}"],
        AgentEvent.Result r => [$"result: {r.Kind.ToString().ToLowerInvariant()}{(r.Detail is { Length: > 0 } d ? $" ({Short(d)})" : "")}"
            + (AgentReport.Describe(r.Usage, null) is { Length: > 0 } usage ? $" · {usage}" : "")],
        _ => [],
    };

    /// <summary>The first line, cut, with how many more lines there were.</summary>
    public static string Short(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Trim().Split('\n');
        var first = lines[0].TrimEnd('\r');
        if (first.Length > MaxShown)
        {
            first = first[..MaxShown] + "…";
        }

        return lines.Length > 1 ? $"{first} ({lines.Length - 1} more lines)" : first;
    }
}
