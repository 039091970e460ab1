using System.Text.Json;
using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>Codex headless: <c>codex exec --json --sandbox workspace-write [--model M] -- PROMPT</c>, and
/// <c>codex exec --json --sandbox workspace-write resume THREAD -- PROMPT</c> to go on (the sandbox is not a flag of the
/// <c>resume</c> subcommand, so it comes before it). Codex names its thread (<c>thread.started</c>); it has no role,
/// turn or budget flag: the role file is named in the prompt, and Cairn enforces the limits from the reported usage.
/// The stream is JSONL: <c>thread.started</c>, <c>turn.started</c>, <c>item.started</c>/<c>item.completed</c>
/// (<c>agent_message</c>, <c>command_execution</c>, <c>file_change</c>, <c>mcp_tool_call</c>, …),
/// <c>turn.completed</c> (usage) or <c>turn.failed</c>, and <c>error</c>. One instance per start: it keeps the last
/// message as the result's text.</summary>
public sealed class CodexAdapter : IAgentAdapter
{
    private string? lastMessage;
    private int turns;
    private long inputTokens;
    private long outputTokens;

    public AgentCli Cli => AgentCli.Codex;

    public string Program => "codex";

    public IReadOnlyList<string> ConfigPaths { get; } = [".codex/", "AGENTS.md", "AGENTS.override.md"];

    public IReadOnlyList<string> CredentialVariables { get; } = ["OPENAI_API_KEY", "CODEX_API_KEY"];

    public bool ChoosesSessionId => false;

    public IReadOnlyList<string> Arguments(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var args = new List<string> { "exec", "--json", "--sandbox", "workspace-write" };
        if (invocation.Model is { Length: > 0 } model)
        {
            args.AddRange(["--model", model]);
        }

        if (invocation.Resume && invocation.SessionId is { Length: > 0 } session)
        {
            args.AddRange(["resume", session]);
        }

        args.Add("--");
        args.Add(WithRole(invocation));
        return args;
    }

    internal static string WithRole(AgentInvocation invocation) =>
        invocation.RoleFile is { Length: > 0 } role
            ? $"Act in the role described in the file {role}; read it before anything else.\n\n{invocation.Prompt}"
            : invocation.Prompt;

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
            case "thread.started" when AgentText.String(root, "thread_id") is { } thread:
                return [new AgentEvent.Session(thread, null)];
            case "item.started":
                return Started(AgentText.Property(root, "item"));
            case "item.completed":
                return Completed(AgentText.Property(root, "item"));
            case "turn.completed":
                var usage = AgentText.Property(root, "usage");
                turns++;
                inputTokens += AgentText.Long(usage, "input_tokens") ?? 0;
                outputTokens += AgentText.Long(usage, "output_tokens") ?? 0;
                return [new AgentEvent.Result(AgentResultKind.Success, lastMessage, Totals(), null)];
            case "turn.failed":
                var failure = AgentText.String(AgentText.Property(root, "error"), "message") ?? "the turn failed";
                return [new AgentEvent.Result(AgentText.Classify(failure), lastMessage, Totals(), failure)];
            case "error":
                var message = AgentText.String(root, "message") ?? "error";
                return message.Contains("Reconnecting", StringComparison.OrdinalIgnoreCase) || message.Contains("retrying", StringComparison.OrdinalIgnoreCase)
                    ? [new AgentEvent.Retry(message)]
                    : [new AgentEvent.Notice(message)];
            default:
                return [];
        }
    }

    private AgentUsage Totals() => new(turns, inputTokens, outputTokens, null);

    private static List<AgentEvent> Started(JsonElement item) => AgentText.String(item, "type") switch
    {
        "command_execution" => [new AgentEvent.ToolCall("Bash", AgentText.SummarizeCall("Bash", item))],
        "mcp_tool_call" => [new AgentEvent.ToolCall(McpName(item), AgentText.SummarizeCall(McpName(item), AgentText.Property(item, "arguments")))],
        _ => [],
    };

    private List<AgentEvent> Completed(JsonElement item)
    {
        switch (AgentText.String(item, "type"))
        {
            case "agent_message" when AgentText.String(item, "text") is { } text:
                lastMessage = text;
                return [new AgentEvent.Text(text)];
            case "command_execution":
                var status = AgentText.String(item, "status");
                var exit = AgentText.Long(item, "exit_code");
                var output = AgentText.String(item, "aggregated_output");
                var declined = status == "declined";
                return [new AgentEvent.ToolResult(
                    AgentText.Shorten(declined ? "declined" : output is { Length: > 0 } ? output : $"exit code {exit}"),
                    declined || status == "failed" || exit is not (null or 0),
                    declined)];
            case "file_change":
                var changes = AgentText.Property(item, "changes");
                var paths = changes.ValueKind == JsonValueKind.Array
                    ? changes.EnumerateArray().Select(c => $"{AgentText.String(c, "kind")} {AgentText.String(c, "path")}").ToList()
                    : [];
                var failed = AgentText.String(item, "status") == "failed";
                return [
                    new AgentEvent.ToolCall("Edit", AgentText.Shorten("Edit " + string.Join(", ", paths.Select(p => p.Split(' ', 2)[^1])))),
                    new AgentEvent.ToolResult(AgentText.Shorten(string.Join(", ", paths)), failed),
                ];
            case "mcp_tool_call":
                var error = AgentText.String(AgentText.Property(item, "error"), "message");
                var result = AgentText.Property(item, "result");
                var content = AgentText.ContentText(AgentText.Property(result, "content"));
                return [new AgentEvent.ToolResult(AgentText.Shorten(error ?? content), error is not null)];
            case "error" when AgentText.String(item, "message") is { } message:
                return [new AgentEvent.Notice(message)];
            default:
                return [];
        }
    }

    private static string McpName(JsonElement item) => $"{AgentText.String(item, "server")}.{AgentText.String(item, "tool")}";
}
