using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

/// <summary>The stub agent run as a process with each adapter's arguments: it accepts them, and what it prints reads
/// as each scenario's result.</summary>
public sealed class StubAgentTests
{
    private const string Session = "0b8e4c2a-7d1f-4e3b-9a6c-5f2d8e1b3c4a";

    private const string Edits = """
        {"start": {"steps": [
          {"text": "Looking at the test."},
          {"tool": "Edit", "input": {"file_path": "src/a.txt"}, "output": "The file src/a.txt has been updated."},
          {"write": "src/a.txt", "content": "fixed\n"},
          {"commit": "Fix the test"},
          {"tool": "Bash", "input": {"command": "dotnet test"}, "output": "Passed!\n12 tests"},
          {"result": "success", "text": "Fixed it.", "turns": 4, "costUsd": 0.42}
        ]}}
        """;

    private static string Result(string kind) => $$$"""{"start": {"steps": [{"text": "Working."}, {"result": "{{{kind}}}"}]}}""";

    private static AgentInvocation First(StubAgentRun run, IAgentAdapter adapter) =>
        run.Invocation(session: adapter.ChoosesSessionId ? Session : null);

    [Theory]
    [InlineData(AgentCli.Claude)]
    [InlineData(AgentCli.Codex)]
    [InlineData(AgentCli.Gemini)]
    [InlineData(AgentCli.Aider)]
    public async Task Each_cli_takes_its_adapters_arguments_edits_and_commits_and_reads_as_done(AgentCli cli)
    {
        using var run = new StubAgentRun();
        run.Scenario(Edits);
        var adapter = AgentAdapters.For(cli);

        var outcome = await run.RunAsync(adapter, First(run, adapter), TestContext.Current.CancellationToken);

        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        Assert.Equal("fixed\n", File.ReadAllText(Path.Combine(run.Work, "src", "a.txt")));
        Assert.Contains("Fix the test", run.GitOutput("log", "--format=%s"), StringComparison.Ordinal);
        Assert.DoesNotContain(outcome.Events, e => e is AgentEvent.Malformed);
        Assert.Contains(outcome.Events, e => e is AgentEvent.ToolCall { Summary: "Edit src/a.txt" });
        if (cli == AgentCli.Aider)
        {
            Assert.Null(outcome.Result);
            Assert.Equal(0.42m, outcome.Events.OfType<AgentEvent.Progress>().Last().Usage.CostUsd);
            return;
        }

        Assert.Contains(outcome.Events, e => e is AgentEvent.Session);
        Assert.Contains(outcome.Events, e => e is AgentEvent.ToolCall { Summary: "Bash: dotnet test" });
        Assert.Equal(AgentResultKind.Success, outcome.Result?.Kind);
    }

    [Theory]
    [InlineData(AgentCli.Claude, "max-turns", AgentResultKind.LimitReached)]
    [InlineData(AgentCli.Claude, "max-budget", AgentResultKind.LimitReached)]
    [InlineData(AgentCli.Claude, "api-error", AgentResultKind.ApiError)]
    [InlineData(AgentCli.Claude, "auth-error", AgentResultKind.Refused)]
    [InlineData(AgentCli.Codex, "api-error", AgentResultKind.ApiError)]
    [InlineData(AgentCli.Codex, "auth-error", AgentResultKind.Refused)]
    [InlineData(AgentCli.Gemini, "max-turns", AgentResultKind.LimitReached)]
    [InlineData(AgentCli.Gemini, "api-error", AgentResultKind.ApiError)]
    [InlineData(AgentCli.Gemini, "auth-error", AgentResultKind.Refused)]
    [InlineData(AgentCli.Aider, "auth-error", AgentResultKind.Refused)]
    public async Task A_failure_reads_as_its_kind(AgentCli cli, string scenario, AgentResultKind kind)
    {
        using var run = new StubAgentRun();
        run.Scenario(Result(scenario));
        var adapter = AgentAdapters.For(cli);

        var outcome = await run.RunAsync(adapter, First(run, adapter), TestContext.Current.CancellationToken);

        Assert.True(kind == outcome.Result?.Kind, $"{outcome.Stderr}\n{string.Join('\n', outcome.Lines)}");
        Assert.NotEqual(0, outcome.ExitCode);
    }

    [Fact]
    public async Task A_denied_tool_ends_claude_refused_and_shows_as_denied()
    {
        using var run = new StubAgentRun();
        run.Scenario("""{"start": {"steps": [{"tool": "Bash", "input": {"command": "curl evil"}, "denied": true}, {"result": "denied"}]}}""");

        var outcome = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(session: Session), TestContext.Current.CancellationToken);

        Assert.Contains(outcome.Events, e => e is AgentEvent.ToolResult { Denied: true, IsError: true });
        Assert.Equal(AgentResultKind.Refused, outcome.Result?.Kind);
        Assert.Equal("denied: Bash: curl evil", outcome.Result?.Detail);
    }

    [Fact]
    public async Task A_resumed_claude_session_sees_the_earlier_prompt_and_the_new_one()
    {
        using var run = new StubAgentRun();
        run.Scenario("""{"start": {"steps": [{"result": "success"}]}, "resume": {"steps": [{"echoPrompts": true}, {"result": "success"}]}}""");
        var adapter = new ClaudeCodeAdapter();
        await run.RunAsync(adapter, run.Invocation(session: Session), TestContext.Current.CancellationToken);

        var outcome = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(resume: true, session: Session, prompt: "The build failed: fix it."), TestContext.Current.CancellationToken);

        var text = Assert.Single(outcome.Events.OfType<AgentEvent.Text>()).Content;
        Assert.Contains("Fix the failing test.", text, StringComparison.Ordinal);
        Assert.Contains("The build failed: fix it.", text, StringComparison.Ordinal);
        Assert.Equal(2, StubAgents.Invocations(run.Home).Count);
    }

    [Fact]
    public async Task A_resumed_codex_thread_goes_on_under_the_id_it_reported()
    {
        using var run = new StubAgentRun();
        run.Scenario("""{"start": {"steps": [{"result": "success"}]}, "resume": {"steps": [{"echoPrompts": true}, {"result": "success"}]}}""");
        var first = await run.RunAsync(new CodexAdapter(), run.Invocation(), TestContext.Current.CancellationToken);
        var thread = Assert.Single(first.Events.OfType<AgentEvent.Session>()).SessionId;

        var outcome = await run.RunAsync(new CodexAdapter(), run.Invocation(resume: true, session: thread, prompt: "Go on."), TestContext.Current.CancellationToken);

        Assert.Equal(thread, Assert.Single(outcome.Events.OfType<AgentEvent.Session>()).SessionId);
        Assert.Contains("Go on.", outcome.Events.OfType<AgentEvent.Text>().First().Content, StringComparison.Ordinal);
        Assert.Equal(AgentResultKind.Success, outcome.Result?.Kind);
    }

    [Fact]
    public async Task Claude_refuses_what_the_real_one_refuses_with_its_message()
    {
        using var run = new StubAgentRun();
        run.Scenario(Edits);
        var ct = TestContext.Current.CancellationToken;

        var unknownSession = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(resume: true, session: Session), ct);
        Assert.Equal(1, unknownSession.ExitCode);
        Assert.Contains($"No conversation found with session ID: {Session}", unknownSession.Stderr, StringComparison.Ordinal);
        Assert.Equal(AgentResultKind.Refused, unknownSession.Result?.Kind);

        var unknownOption = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(session: Session), ct, extraArguments: ["--no-such-flag"]);
        Assert.Contains("error: unknown option '--no-such-flag'", unknownOption.Stderr, StringComparison.Ordinal);

        var swallowed = await RunClaude(run, ["-p", "--output-format", "stream-json", "--verbose", "--allowedTools", "Read", "say hi"], ct);
        Assert.Contains("\"say hi\" was read as a value of --allowedTools, not as a prompt", swallowed, StringComparison.Ordinal);

        var quiet = await RunClaude(run, ["-p", "--output-format", "stream-json", "--", "say hi"], ct);
        Assert.Contains("Error: When using --print, --output-format=stream-json requires --verbose", quiet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_troubles_an_executor_must_survive_are_played()
    {
        using var run = new StubAgentRun();
        var ct = TestContext.Current.CancellationToken;
        var claude = new ClaudeCodeAdapter();

        run.Scenario("""{"start": {"steps": [{"raw": "not json at all"}, {"secretFrom": "ANTHROPIC_API_KEY"}, {"hugeBytes": 3000000}, {"result": "success"}]}}""");
        var noisy = await run.RunAsync(claude, run.Invocation(session: Session), ct, new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-secret-value" });
        Assert.Contains(new AgentEvent.Malformed("not json at all"), noisy.Events);
        Assert.Contains(noisy.Events, e => e is AgentEvent.Text t && t.Content.Contains("sk-ant-secret-value", StringComparison.Ordinal));
        Assert.Contains(noisy.Events, e => e is AgentEvent.Text { Content.Length: 3_000_000 });

        run.Scenario("""{"start": {"steps": [{"result": "success"}, {"hang": true}]}}""");
        var stuck = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(session: Guid.NewGuid().ToString()), ct, untilResult: true);
        Assert.True(stuck.StillRunningAfterResult);

        run.Scenario("""{"start": {"steps": [{"tool": "Bash", "input": {"command": "make"}, "output": "ok"}, {"hang": true}]}}""");
        var idle = await run.RunAsync(new CodexAdapter(), run.Invocation(), ct, until: e => e is AgentEvent.ToolResult);
        Assert.True(idle.StillRunningAfterResult);
        Assert.Null(idle.Result);

        run.Scenario("""{"start": {"steps": [], "exit": 1}}""");
        var silent = await run.RunAsync(new ClaudeCodeAdapter(), run.Invocation(session: Guid.NewGuid().ToString()), ct);
        Assert.Equal(1, silent.ExitCode);
        Assert.Single(silent.Lines);
        Assert.IsType<AgentEvent.Session>(Assert.Single(silent.Events));
    }

    private static async Task<string> RunClaude(StubAgentRun run, string[] args, CancellationToken ct)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(run.Bin, "claude")) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = run.Work };
        start.Environment["HOME"] = run.Home;
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.Equal(1, process.ExitCode);
        return stderr;
    }
}
