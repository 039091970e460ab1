using System.Globalization;
using System.Text.Json;
using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>Claude Code headless: <c>claude -p --output-format stream-json --verbose --bare --permission-mode dontAsk …
/// -- PROMPT</c>. <c>--bare</c> loads no hooks, plugins or CLAUDE.md; <c>dontAsk</c> denies every tool not allowed.
/// The prompt goes last after <c>--</c>: the tool lists are variadic and would swallow it. The stream is one JSON object a
/// line: <c>system</c> (<c>init</c>, <c>api_retry</c>), <c>assistant</c>, <c>user</c> (tool results) and a last
/// <c>result</c>. An instance keeps the running totals of one run: take a new one (<see cref="AgentAdapters.For"/>)
/// for each start.</summary>
public sealed class ClaudeCodeAdapter : IAgentAdapter
{
    private readonly HashSet<string> messages = new(StringComparer.Ordinal);
    private long inputTokens;
    private long outputTokens;

    public AgentCli Cli => AgentCli.Claude;

    public string Program => "claude";

    public IReadOnlyList<string> ConfigPaths { get; } = [".claude/", ".mcp.json", "CLAUDE.md", "CLAUDE.local.md"];

    /// <summary>Under <c>--bare</c> the key is read from ANTHROPIC_API_KEY only.</summary>
    public IReadOnlyList<string> CredentialVariables { get; } = ["ANTHROPIC_API_KEY"];

    public bool ChoosesSessionId => true;

    public IReadOnlyList<string> Arguments(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var args = new List<string> { "-p", "--output-format", "stream-json", "--verbose", "--bare", "--permission-mode", "dontAsk" };
        if (invocation.Model is { Length: > 0 } model)
        {
            args.AddRange(["--model", model]);
        }

        if (invocation.Limits.MaxTurns is { } turns)
        {
            args.AddRange(["--max-turns", turns.ToString(CultureInfo.InvariantCulture)]);
        }

        if (invocation.Limits.BudgetUsd is { } budget)
        {
            args.AddRange(["--max-budget-usd", AgentText.Money(budget)]);
        }

        if (invocation.RoleFile is { Length: > 0 } role)
        {
            args.AddRange(["--append-system-prompt-file", role]);
        }

        if (invocation.AllowedTools.Count > 0)
        {
            args.Add("--allowedTools");
            args.AddRange(invocation.AllowedTools);
        }

        if (invocation.DisallowedTools.Count > 0)
        {
            args.Add("--disallowedTools");
            args.AddRange(invocation.DisallowedTools);
        }

        if (invocation.SessionId is { Length: > 0 } session)
        {
            args.AddRange([invocation.Resume ? "--resume" : "--session-id", session]);
        }

        args.Add("--");
        args.Add(invocation.Prompt);
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
        return AgentText.String(root, "type") switch
        {
            "system" => System(root),
            "assistant" => Assistant(root),
            "user" => User(root),
            "result" => [Result(root)],
            _ => [],
        };
    }

    private static List<AgentEvent> System(JsonElement root)
    {
        switch (AgentText.String(root, "subtype"))
        {
            case "init" when AgentText.String(root, "session_id") is { } session:
                return [new AgentEvent.Session(session, AgentText.String(root, "model"))];
            case "api_retry":
                var attempt = AgentText.Long(root, "attempt");
                var max = AgentText.Long(root, "max_retries");
                var status = AgentText.Long(root, "error_status");
                var error = AgentText.String(root, "error") ?? "error";
                return [new AgentEvent.Retry(string.Create(CultureInfo.InvariantCulture,
                    $"attempt {attempt} of {max}: {error}{(status is { } s ? $" (HTTP {s})" : "")}"))];
            default:
                return [];
        }
    }

    private List<AgentEvent> Assistant(JsonElement root)
    {
        var events = new List<AgentEvent>();
        var message = AgentText.Property(root, "message");
        foreach (var block in Blocks(message))
        {
            switch (AgentText.String(block, "type"))
            {
                case "text" when AgentText.String(block, "text") is { Length: > 0 } text:
                    events.Add(new AgentEvent.Text(text));
                    break;
                case "tool_use":
                    var name = AgentText.String(block, "name") ?? "tool";
                    events.Add(new AgentEvent.ToolCall(name, AgentText.SummarizeCall(name, AgentText.Property(block, "input"))));
                    break;
                default:
                    break;
            }
        }

        // Each content block of one API message comes as its own line with the same id: count a message once.
        if (AgentText.String(message, "id") is { } id && AgentText.String(message, "model") != "<synthetic>" && messages.Add(id))
        {
            var usage = AgentText.Property(message, "usage");
            inputTokens += (AgentText.Long(usage, "input_tokens") ?? 0) + (AgentText.Long(usage, "cache_creation_input_tokens") ?? 0)
                + (AgentText.Long(usage, "cache_read_input_tokens") ?? 0);
            outputTokens += AgentText.Long(usage, "output_tokens") ?? 0;
            events.Add(new AgentEvent.Progress(new AgentUsage(messages.Count, inputTokens, outputTokens, null)));
        }

        return events;
    }

    private static List<AgentEvent> User(JsonElement root)
    {
        var events = new List<AgentEvent>();
        foreach (var block in Blocks(AgentText.Property(root, "message")))
        {
            if (AgentText.String(block, "type") == "tool_result")
            {
                var text = AgentText.ContentText(AgentText.Property(block, "content"));
                var error = AgentText.Bool(block, "is_error");
                var denied = error && text.Contains("has been denied", StringComparison.Ordinal);
                events.Add(new AgentEvent.ToolResult(AgentText.Shorten(text), error, denied));
            }
        }

        return events;
    }

    private static AgentEvent.Result Result(JsonElement root)
    {
        var usage = AgentText.Property(root, "usage");
        var totals = new AgentUsage(
            (int?)AgentText.Long(root, "num_turns"),
            (AgentText.Long(usage, "input_tokens") ?? 0) + (AgentText.Long(usage, "cache_creation_input_tokens") ?? 0)
                + (AgentText.Long(usage, "cache_read_input_tokens") ?? 0),
            AgentText.Long(usage, "output_tokens"),
            AgentText.Decimal(root, "total_cost_usd"));
        var text = AgentText.String(root, "result");
        var subtype = AgentText.String(root, "subtype") ?? "";
        var errors = AgentText.Property(root, "errors");
        var errorText = errors.ValueKind == JsonValueKind.Array
            ? string.Join("; ", errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()))
            : null;
        var detail = string.Join(": ", new[] { text, errorText }.Where(s => !string.IsNullOrEmpty(s)));
        var denials = Denials(root);

        if (subtype is "error_max_turns" or "error_max_budget_usd")
        {
            return new(AgentResultKind.LimitReached, text, totals, subtype == "error_max_turns"
                ? $"the turn limit was reached ({totals.Turns} turns)"
                : $"the budget was spent (${AgentText.Money(totals.CostUsd ?? 0)})");
        }

        if (subtype == "success" && !AgentText.Bool(root, "is_error"))
        {
            return denials.Count == 0
                ? new(AgentResultKind.Success, text, totals, null)
                : new(AgentResultKind.Refused, text, totals, $"denied: {string.Join(", ", denials)}");
        }

        var reason = string.Join(" ", new[] { AgentText.String(root, "api_error"), AgentText.String(root, "terminal_reason"), detail }
            .Where(s => !string.IsNullOrEmpty(s)));
        return new(AgentText.Classify(reason), text, totals, detail.Length > 0 ? detail : subtype);
    }

    private static List<string> Denials(JsonElement root)
    {
        var denials = AgentText.Property(root, "permission_denials");
        return denials.ValueKind != JsonValueKind.Array
            ? []
            : denials.EnumerateArray()
                .Select(d => AgentText.SummarizeCall(AgentText.String(d, "tool_name") ?? "tool", AgentText.Property(d, "tool_input")))
                .ToList();
    }

    private static List<JsonElement> Blocks(JsonElement message) =>
        AgentText.Property(message, "content") is { ValueKind: JsonValueKind.Array } content ? [.. content.EnumerateArray()] : [];
}
