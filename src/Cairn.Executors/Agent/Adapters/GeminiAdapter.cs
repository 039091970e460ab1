using System.Text.Json;
using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>Gemini CLI headless: <c>gemini --prompt=PROMPT --output-format stream-json --approval-mode auto_edit
/// [--model M] [--allowed-tools T]… [--resume SESSION]</c> (the prompt joined to its flag so that a prompt starting with a
/// dash stays a value). Gemini names its session (<c>init</c>); it has no role, turn or budget flag: the role file is named
/// in the prompt and Cairn enforces the limits. The stream is JSONL: <c>init</c>, <c>message</c> (user or assistant,
/// possibly in <c>delta</c> pieces), <c>tool_use</c>, <c>tool_result</c>, <c>error</c> (warning or error) and a last
/// <c>result</c> with <c>stats</c>. One instance per start: it counts tool calls as its turns while it works (Gemini reports no turns).</summary>
public sealed class GeminiAdapter : IAgentAdapter
{
    private int toolCalls;

    public AgentCli Cli => AgentCli.Gemini;

    public string Program => "gemini";

    public IReadOnlyList<string> ConfigPaths { get; } = [".gemini/", "GEMINI.md", ".geminiignore"];

    public IReadOnlyList<string> CredentialVariables { get; } = ["GEMINI_API_KEY", "GOOGLE_API_KEY"];

    public bool ChoosesSessionId => false;

    public IReadOnlyList<string> Arguments(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var args = new List<string> { "--prompt=" + CodexAdapter.WithRole(invocation), "--output-format", "stream-json", "--approval-mode", "auto_edit" };
        if (invocation.Model is { Length: > 0 } model)
        {
            args.AddRange(["--model", model]);
        }

        foreach (var tool in invocation.AllowedTools)
        {
            args.AddRange(["--allowed-tools", tool]);
        }

        if (invocation.Resume && invocation.SessionId is { Length: > 0 } session)
        {
            args.AddRange(["--resume", session]);
        }

        return args;
    }

    public IReadOnlyList<AgentEvent> Parse(string line)
    {
        using var document = AgentText.Object(line);
        if (document is null)
        {
            return string.IsNullOrWhiteSpace(line) ? [] : [new AgentEvent.Malformed(line)];
        }

        var root = document.RootElement;
        switch (AgentText.String(root, "type"))
        {
            case "init" when AgentText.String(root, "session_id") is { } session:
                return [new AgentEvent.Session(session, AgentText.String(root, "model"))];
            case "message" when AgentText.String(root, "role") == "assistant" && AgentText.String(root, "content") is { Length: > 0 } text:
                return [new AgentEvent.Text(text)];
            case "tool_use":
                var name = AgentText.String(root, "tool_name") ?? "tool";
                toolCalls++;
                return [
                    new AgentEvent.ToolCall(name, AgentText.SummarizeCall(name, AgentText.Property(root, "parameters"))),
                    new AgentEvent.Progress(new AgentUsage(toolCalls, null, null, null)),
                ];
            case "tool_result":
                var failed = AgentText.String(root, "status") == "error";
                var error = AgentText.Property(root, "error");
                var text2 = failed ? AgentText.String(error, "message") ?? "error" : AgentText.String(root, "output");
                var denied = failed && (AgentText.String(error, "type") ?? "").Contains("denied", StringComparison.OrdinalIgnoreCase);
                return [new AgentEvent.ToolResult(AgentText.Shorten(text2), failed, denied)];
            case "error":
                return [new AgentEvent.Notice($"{AgentText.String(root, "severity") ?? "error"}: {AgentText.String(root, "message")}")];
            case "result":
                return [Result(root)];
            default:
                return [];
        }
    }

    private static AgentEvent.Result Result(JsonElement root)
    {
        var stats = AgentText.Property(root, "stats");
        var usage = new AgentUsage(null, AgentText.Long(stats, "input_tokens"), AgentText.Long(stats, "output_tokens"), null);
        if (AgentText.String(root, "status") == "success")
        {
            return new(AgentResultKind.Success, null, usage, null);
        }

        var error = AgentText.Property(root, "error");
        var type = AgentText.String(error, "type") ?? "";
        var message = AgentText.String(error, "message") ?? "the session failed";
        var detail = type.Length > 0 ? $"{type}: {message}" : message;
        var kind = type.Contains("MaxSessionTurns", StringComparison.Ordinal) || message.Contains("turns exceeded", StringComparison.OrdinalIgnoreCase)
            ? AgentResultKind.LimitReached
            : AgentText.Classify(detail);
        return new(kind, null, usage, detail);
    }

}
