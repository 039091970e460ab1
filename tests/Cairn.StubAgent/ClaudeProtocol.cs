using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary>Claude Code's <c>stream-json</c>, in the shapes 2.1.328 prints (a <c>system</c> <c>init</c>, <c>assistant</c>
/// and <c>user</c> messages, <c>api_retry</c>, a last <c>result</c>).</summary>
internal sealed class ClaudeProtocol : Protocol
{
    private readonly List<JsonObject> denials = [];
    private int messages;

    public required IReadOnlyList<string> AllowedTools { get; init; }

    public override void Started() => Json(new JsonObject
    {
        ["type"] = "system",
        ["subtype"] = "init",
        ["cwd"] = Environment.CurrentDirectory,
        ["session_id"] = SessionId,
        ["tools"] = new JsonArray("Bash", "Edit", "Read", "Write", "Glob", "Grep"),
        ["mcp_servers"] = new JsonArray(),
        ["model"] = Model,
        ["permissionMode"] = "dontAsk",
        ["apiKeySource"] = "ANTHROPIC_API_KEY",
        ["claude_code_version"] = "2.1.328",
        ["uuid"] = Guid.NewGuid().ToString(),
    });

    public override void Text(string text) => Assistant(new JsonObject { ["type"] = "text", ["text"] = text });

    public override void Tool(string name, JsonObject input, string output, bool isError, bool denied)
    {
        var id = $"toolu_{messages + 1:D4}";
        Assistant(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = Runner.Input(input) });
        if (denied)
        {
            output = $"Permission to use {name} has been denied because Claude Code is running in don't ask mode";
            denials.Add(new JsonObject { ["tool_name"] = name, ["tool_use_id"] = id, ["tool_input"] = Runner.Input(input) });
        }

        Json(new JsonObject
        {
            ["type"] = "user",
            ["message"] = new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["tool_use_id"] = id, ["type"] = "tool_result", ["content"] = output, ["is_error"] = isError }),
            },
            ["parent_tool_use_id"] = null,
            ["session_id"] = SessionId,
            ["uuid"] = Guid.NewGuid().ToString(),
        });
    }

    public override void Retry(string reason, int attempt) => Json(new JsonObject
    {
        ["type"] = "system",
        ["subtype"] = "api_retry",
        ["attempt"] = attempt,
        ["max_retries"] = 10,
        ["retry_delay_ms"] = 500 * attempt,
        ["error_status"] = reason.StartsWith('5') && int.TryParse(reason.AsSpan(0, 3), out var status) ? status : null,
        ["error"] = reason,
        ["session_id"] = SessionId,
        ["uuid"] = Guid.NewGuid().ToString(),
    });

    public override void Result(Step result, int toolCalls)
    {
        var (subtype, isError, apiError, text) = result.Result switch
        {
            "success" => ("success", false, null, result.Text ?? "Done."),
            "max-turns" => ("error_max_turns", true, null, (string?)null),
            "max-budget" => ("error_max_budget_usd", true, null, null),
            "api-error" => ("success", true, "overloaded", result.Text ?? "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
            "auth-error" => ("success", true, "authentication_failed", result.Text ?? "Invalid API key · Fix external API key"),
            "denied" => ("success", false, null, result.Text ?? "I could not run the command: permission was denied."),
            _ => throw new InvalidOperationException($"unknown result {result.Result}"),
        };
        if (apiError is not null)
        {
            Json(new JsonObject
            {
                ["type"] = "assistant",
                ["message"] = Message("<synthetic>", new JsonObject { ["type"] = "text", ["text"] = text }, 0, 0),
                ["parent_tool_use_id"] = null,
                ["session_id"] = SessionId,
                ["error"] = apiError == "authentication_failed" ? apiError : "server_error",
                ["is_api_error_message"] = true,
                ["api_error"] = apiError,
            });
        }

        var line = new JsonObject
        {
            ["type"] = "result",
            ["subtype"] = subtype,
            ["is_error"] = isError,
            ["duration_ms"] = 1200,
            ["duration_api_ms"] = 1000,
            ["num_turns"] = result.Turns ?? toolCalls + 1,
            ["session_id"] = SessionId,
            ["total_cost_usd"] = result.CostUsd ?? 0.01m * (toolCalls + 1),
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = result.InputTokens ?? 1000L * (toolCalls + 1),
                ["cache_creation_input_tokens"] = 0,
                ["cache_read_input_tokens"] = 0,
                ["output_tokens"] = result.OutputTokens ?? 100L * (toolCalls + 1),
            },
            ["permission_denials"] = new JsonArray([.. denials.Select(d => d.DeepClone())]),
            ["uuid"] = Guid.NewGuid().ToString(),
        };
        if (text is not null)
        {
            line["result"] = text;
        }
        else
        {
            line["errors"] = new JsonArray();
        }

        if (apiError is not null)
        {
            line["api_error"] = apiError;
            line["terminal_reason"] = "api_error";
        }

        Json(line);
    }

    private void Assistant(JsonObject block)
    {
        messages++;
        Json(new JsonObject
        {
            ["type"] = "assistant",
            ["message"] = Message(Model, block, 1000, 100),
            ["parent_tool_use_id"] = null,
            ["session_id"] = SessionId,
            ["uuid"] = Guid.NewGuid().ToString(),
        });
    }

    private JsonObject Message(string? model, JsonObject block, int input, int output) => new()
    {
        ["id"] = model == "<synthetic>" ? Guid.NewGuid().ToString() : $"msg_stub{messages:D6}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = new JsonArray(block),
        ["stop_reason"] = block["type"]?.GetValue<string>() == "tool_use" ? "tool_use" : "end_turn",
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = input,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = 0,
            ["output_tokens"] = output,
        },
    };
}
