using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

public sealed class OtherAdaptersParseTests
{
    [Fact]
    public void Codex_jsonl_reads_as_its_thread_a_command_the_last_message_and_the_turns_usage()
    {
        // The --json example of openai/codex's docs (docs/exec.md), the item shapes of codex-rs/exec/src/exec_events.rs.
        string[] lines =
        [
            """{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}""",
            """{"type":"turn.started"}""",
            """{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","status":"in_progress"}}""",
            """{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"README.md\nsrc\n","exit_code":0,"status":"completed"}}""",
            """{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"src/a.cs","kind":"update"}],"status":"completed"}}""",
            """{"type":"item.completed","item":{"id":"item_3","type":"agent_message","text":"Done."}}""",
            """{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}""",
        ];
        var codex = new CodexAdapter();

        var events = lines.SelectMany(codex.Parse).ToList();

        Assert.Equal(
            [
                new AgentEvent.Session("0199a213-81c0-7800-8aa1-bbab2a035a53", null),
                new AgentEvent.ToolCall("Bash", "Bash: bash -lc ls"),
                new AgentEvent.ToolResult("README.md (1 more line)", false),
                new AgentEvent.ToolCall("Edit", "Edit src/a.cs"),
                new AgentEvent.ToolResult("update src/a.cs", false),
                new AgentEvent.Text("Done."),
                new AgentEvent.Result(AgentResultKind.Success, "Done.", new AgentUsage(1, 24763, 122, null), null),
            ],
            events);
    }

    [Theory]
    [InlineData("unexpected status 401 Unauthorized: Incorrect API key provided", AgentResultKind.Refused)]
    [InlineData("stream disconnected before completion: error sending request for url", AgentResultKind.ApiError)]
    public void A_failed_codex_turn_reads_as_a_refusal_or_an_api_error(string message, AgentResultKind kind)
    {
        var result = Assert.IsType<AgentEvent.Result>(Assert.Single(new CodexAdapter().Parse(
            $$$"""{"type":"turn.failed","error":{"message":"{{{message}}}"}}""")));
        Assert.Equal(kind, result.Kind);
        Assert.Equal(message, result.Detail);
    }

    [Fact]
    public void Gemini_stream_json_reads_as_its_session_messages_tools_and_the_result_stats()
    {
        // Shapes from google-gemini/gemini-cli, packages/core/src/output/stream-json-formatter.test.ts and types.ts.
        string[] lines =
        [
            """{"type":"init","timestamp":"2025-10-10T12:00:00.000Z","session_id":"test-session-123","model":"gemini-2.0-flash-exp"}""",
            """{"type":"message","timestamp":"2025-10-10T12:00:00.000Z","role":"user","content":"What is 2+2?"}""",
            """{"type":"message","timestamp":"2025-10-10T12:00:00.000Z","role":"assistant","content":"4","delta":true}""",
            """{"type":"tool_use","timestamp":"2025-10-10T12:00:00.000Z","tool_name":"Read","tool_id":"read-123","parameters":{"file_path":"/path/to/file.txt"}}""",
            """{"type":"tool_result","timestamp":"2025-10-10T12:00:00.000Z","tool_id":"read-123","status":"error","error":{"type":"FILE_NOT_FOUND","message":"File not found"}}""",
            """{"type":"error","timestamp":"2025-10-10T12:00:00.000Z","severity":"warning","message":"Loop detected, stopping execution"}""",
            """{"type":"result","timestamp":"2025-10-10T12:00:00.000Z","status":"success","stats":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"cached":0,"input":50,"duration_ms":1200,"tool_calls":2}}""",
        ];
        var gemini = new GeminiAdapter();

        var events = lines.SelectMany(gemini.Parse).ToList();

        Assert.Equal(
            [
                new AgentEvent.Session("test-session-123", "gemini-2.0-flash-exp"),
                new AgentEvent.Text("4"),
                new AgentEvent.ToolCall("Read", "Read /path/to/file.txt"),
                new AgentEvent.Progress(new AgentUsage(1, null, null, null)),
                new AgentEvent.ToolResult("File not found", true),
                new AgentEvent.Notice("warning: Loop detected, stopping execution"),
                new AgentEvent.Result(AgentResultKind.Success, null, new AgentUsage(null, 50, 50, null), null),
            ],
            events);
    }

    [Fact]
    public void A_gemini_session_out_of_turns_is_a_limit()
    {
        var result = Assert.IsType<AgentEvent.Result>(Assert.Single(new GeminiAdapter().Parse(
            """{"type":"result","timestamp":"2025-10-10T12:00:00.000Z","status":"error","error":{"type":"MaxSessionTurnsError","message":"Maximum session turns exceeded"},"stats":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"cached":0,"input":50,"duration_ms":1200,"tool_calls":0}}""")));
        Assert.Equal(AgentResultKind.LimitReached, result.Kind);
        Assert.Equal("MaxSessionTurnsError: Maximum session turns exceeded", result.Detail);
    }

    [Fact]
    public void Aider_text_reads_as_text_edits_usage_retries_and_an_authentication_refusal()
    {
        var aider = new AiderAdapter();

        Assert.Equal([new AgentEvent.Text("I'll fix the test.")], aider.Parse("I'll fix the test."));
        Assert.Equal([new AgentEvent.ToolCall("Edit", "Edit src/a.cs"), new AgentEvent.ToolResult("applied", false)], aider.Parse("Applied edit to src/a.cs"));
        Assert.Equal([new AgentEvent.Progress(new AgentUsage(1, 2300, 156, 0.03m))], aider.Parse("Tokens: 2.3k sent, 156 received. Cost: $0.01 message, $0.03 session."));
        Assert.Equal([new AgentEvent.Progress(new AgentUsage(2, 14300, 1356, 0.09m))], aider.Parse("Tokens: 12k sent, 1.2k received. Cost: $0.06 message, $0.09 session."));
        Assert.IsType<AgentEvent.Retry>(Assert.Single(aider.Parse("Retrying in 0.2 seconds...")));
        var refused = Assert.IsType<AgentEvent.Result>(Assert.Single(aider.Parse("litellm.AuthenticationError: AnthropicException - invalid x-api-key")));
        Assert.Equal(AgentResultKind.Refused, refused.Kind);
        Assert.Empty(aider.Parse("   "));
    }
}
