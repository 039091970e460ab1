using System.Runtime.CompilerServices;
using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

public sealed class ClaudeCodeParseTests
{
    private static List<AgentEvent> ParseAll(IAgentAdapter adapter, IEnumerable<string> lines) => lines.SelectMany(adapter.Parse).ToList();

    private static string Streams([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Streams");

    [Fact]
    public void The_real_cli_without_a_network_reports_its_session_its_retries_and_an_api_error_with_its_own_message()
    {
        // Streams/claude-offline.jsonl: what claude 2.1.328 printed here, offline, with CLAUDE_CODE_MAX_RETRIES=1.
        var events = ParseAll(new ClaudeCodeAdapter(), File.ReadLines(Path.Combine(Streams(), "claude-offline.jsonl")));

        var session = Assert.IsType<AgentEvent.Session>(events[0]);
        Assert.Equal("6f1c3c6e-8a51-4c5e-9d6c-1b2f3a4b5c6f", session.SessionId);
        Assert.Equal("claude-opus-5-5", session.Model);
        Assert.Contains(events, e => e is AgentEvent.Retry r && r.Reason.StartsWith("attempt 1 of 1", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e is AgentEvent.Malformed);
        var result = Assert.IsType<AgentEvent.Result>(events[^1]);
        Assert.Equal(AgentResultKind.ApiError, result.Kind);
        Assert.Contains("Can't reach the API server", result.Detail, StringComparison.Ordinal);
        Assert.Equal(1, result.Usage.Turns);
        Assert.Equal(0m, result.Usage.CostUsd);
    }

    [Fact]
    public void A_session_reads_as_text_tool_calls_shortened_results_progress_and_a_successful_result()
    {
        // Shapes from anthropics/claude-code-action, test/fixtures/sample-turns.json (assistant, user tool_result,
        // result), with the result's fields as the Agent SDK's SDKResultMessage types them.
        string[] lines =
        [
            """{"type":"system","subtype":"init","session_id":"sample-session-id","tools":["Task","Bash","Read","Edit","Write"],"mcp_servers":[{"name":"github","status":"connected"}],"model":"claude-test-model"}""",
            """{"type":"assistant","message":{"id":"msg_sample123","type":"message","role":"assistant","model":"claude-test-model","content":[{"type":"text","text":"I'll help you with this task. Let me start by examining the file to understand what needs to be changed."},{"type":"tool_use","id":"tool_call_1","name":"Read","input":{"file_path":"/path/to/sample/file.py"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":50,"output_tokens":75}},"session_id":"sample-session-id"}""",
            """{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"tool_call_1","content":"def example_function():\n    print(\"Debug message\")  # This should be removed\n    return \"Hello World\"\n\nif __name__ == \"__main__\":\n    result = example_function()\n    print(result)","is_error":false}]}}""",
            """{"type":"assistant","message":{"id":"msg_sample124","type":"message","role":"assistant","model":"claude-test-model","content":[{"type":"tool_use","id":"tool_call_2","name":"Bash","input":{"command":"dotnet test","description":"Run the tests"}}],"usage":{"input_tokens":150,"cache_creation_input_tokens":0,"cache_read_input_tokens":60,"output_tokens":20}},"session_id":"sample-session-id"}""",
            """{"type":"result","subtype":"success","is_error":false,"duration_ms":18750,"duration_api_ms":15000,"num_turns":6,"result":"Successfully removed debug print statement from file and added review comment to document the change.","session_id":"sample-session-id","total_cost_usd":0.0347,"usage":{"input_tokens":430,"cache_creation_input_tokens":0,"cache_read_input_tokens":200,"output_tokens":155},"permission_denials":[]}""",
        ];

        var events = ParseAll(new ClaudeCodeAdapter(), lines);

        Assert.Equal(new AgentEvent.Session("sample-session-id", "claude-test-model"), events[0]);
        Assert.IsType<AgentEvent.Text>(events[1]);
        Assert.Equal(new AgentEvent.ToolCall("Read", "Read /path/to/sample/file.py"), events[2]);
        Assert.Equal(new AgentEvent.Progress(new AgentUsage(1, 150, 75, null)), events[3]);
        Assert.Equal(new AgentEvent.ToolResult("def example_function(): (6 more lines)", false), events[4]);
        Assert.Equal(new AgentEvent.ToolCall("Bash", "Bash: dotnet test"), events[5]);
        Assert.Equal(new AgentEvent.Progress(new AgentUsage(2, 360, 95, null)), events[6]);
        var result = Assert.IsType<AgentEvent.Result>(events[7]);
        Assert.Equal(AgentResultKind.Success, result.Kind);
        Assert.StartsWith("Successfully removed", result.Final, StringComparison.Ordinal);
        Assert.Equal(new AgentUsage(6, 630, 155, 0.0347m), result.Usage);
    }

    [Theory]
    [InlineData("error_max_turns", AgentResultKind.LimitReached)]
    [InlineData("error_max_budget_usd", AgentResultKind.LimitReached)]
    [InlineData("error_during_execution", AgentResultKind.ApiError)]
    public void An_error_result_reads_as_its_kind(string subtype, AgentResultKind kind)
    {
        var line = $$"""{"type":"result","subtype":"{{subtype}}","is_error":true,"duration_ms":900,"duration_api_ms":800,"num_turns":15,"session_id":"s","total_cost_usd":1.25,"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5},"permission_denials":[],"errors":[]}""";

        var result = Assert.IsType<AgentEvent.Result>(Assert.Single(new ClaudeCodeAdapter().Parse(line)));

        Assert.Equal(kind, result.Kind);
        Assert.Equal(15, result.Usage.Turns);
        Assert.Equal(1.25m, result.Usage.CostUsd);
    }

    [Fact]
    public void An_invalid_key_is_a_refusal_and_a_denied_tool_makes_even_a_success_one()
    {
        var adapter = new ClaudeCodeAdapter();
        var auth = Assert.IsType<AgentEvent.Result>(Assert.Single(adapter.Parse(
            """{"type":"result","subtype":"success","is_error":true,"num_turns":1,"result":"Invalid API key · Fix external API key","session_id":"s","total_cost_usd":0,"usage":{"input_tokens":0,"output_tokens":0},"permission_denials":[],"api_error":"authentication_failed"}""")));
        Assert.Equal(AgentResultKind.Refused, auth.Kind);
        Assert.Contains("Invalid API key", auth.Detail, StringComparison.Ordinal);

        var denied = Assert.IsType<AgentEvent.ToolResult>(Assert.Single(adapter.Parse(
            """{"type":"user","message":{"role":"user","content":[{"tool_use_id":"t1","type":"tool_result","content":"Permission to use Bash has been denied because Claude Code is running in don't ask mode","is_error":true}]}}""")));
        Assert.True(denied.Denied);

        var result = Assert.IsType<AgentEvent.Result>(Assert.Single(adapter.Parse(
            """{"type":"result","subtype":"success","is_error":false,"num_turns":2,"result":"Could not run it.","session_id":"s","total_cost_usd":0.02,"usage":{"input_tokens":5,"output_tokens":5},"permission_denials":[{"tool_name":"Bash","tool_use_id":"t1","tool_input":{"command":"rm -rf /"}}]}""")));
        Assert.Equal(AgentResultKind.Refused, result.Kind);
        Assert.Equal("denied: Bash: rm -rf /", result.Detail);
    }

    [Fact]
    public void A_line_that_is_not_the_protocol_is_malformed_and_a_long_result_is_cut_to_a_line()
    {
        var adapter = new ClaudeCodeAdapter();
        Assert.Equal([new AgentEvent.Malformed("Segmentation fault")], adapter.Parse("Segmentation fault"));
        Assert.Equal([new AgentEvent.Malformed("{\"type\":")], adapter.Parse("{\"type\":"));
        Assert.Empty(adapter.Parse(""));

        var huge = new string('x', 5000);
        var result = Assert.IsType<AgentEvent.ToolResult>(Assert.Single(adapter.Parse(
            $$$"""{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"{{{huge}}}"}],"is_error":false}]}}""")));
        Assert.True(result.Summary.Length <= 200);
        Assert.EndsWith("…", result.Summary, StringComparison.Ordinal);
    }
}
