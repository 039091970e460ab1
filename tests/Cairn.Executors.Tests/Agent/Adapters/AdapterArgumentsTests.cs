using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

public sealed class AdapterArgumentsTests
{
    private const string Session = "6f1c3c6e-8a51-4c5e-9d6c-1b2f3a4b5c6d";

    internal static AgentInvocation Invocation(
        bool resume = false,
        string? session = Session,
        string? role = null,
        string? model = null,
        IReadOnlyList<string>? allowed = null,
        IReadOnlyList<string>? disallowed = null,
        AgentLimits? limits = null,
        string prompt = "Fix the failing test.") =>
        new(prompt, "/tmp/prompt.md", model, role, allowed ?? [], disallowed ?? [], limits ?? AgentLimits.None, session, resume, "/tmp/work");

    [Fact]
    public void Claude_first_start_chooses_the_session_and_puts_the_prompt_last_after_a_double_dash()
    {
        var args = new ClaudeCodeAdapter().Arguments(Invocation(
            model: "sonnet", role: "/tmp/role.md", allowed: ["Read", "Edit", "Bash(dotnet test *)"], disallowed: ["WebFetch"],
            limits: new AgentLimits(15, 2.5m, null, null)));

        Assert.Equal(
            [
                "-p", "--output-format", "stream-json", "--verbose", "--bare", "--permission-mode", "dontAsk",
                "--model", "sonnet", "--max-turns", "15", "--max-budget-usd", "2.5", "--append-system-prompt-file", "/tmp/role.md",
                "--allowedTools", "Read", "Edit", "Bash(dotnet test *)", "--disallowedTools", "WebFetch",
                "--session-id", Session, "--", "Fix the failing test.",
            ],
            args);
    }

    [Fact]
    public void Claude_resume_names_the_session_to_go_on_with_and_leaves_out_what_was_not_asked_for()
    {
        var args = new ClaudeCodeAdapter().Arguments(Invocation(resume: true, prompt: "-- the build failed"));

        Assert.Equal(["-p", "--output-format", "stream-json", "--verbose", "--bare", "--permission-mode", "dontAsk", "--resume", Session, "--", "-- the build failed"], args);
    }

    [Fact]
    public void Codex_starts_an_exec_with_a_writable_workspace_sandbox_and_resumes_by_its_thread()
    {
        var codex = new CodexAdapter();
        Assert.Equal(["exec", "--json", "--sandbox", "workspace-write", "--model", "gpt-5", "--", "Fix the failing test."],
            codex.Arguments(Invocation(session: null, model: "gpt-5")));
        Assert.Equal(["exec", "--json", "--sandbox", "workspace-write", "resume", "thread-1", "--", "Fix the failing test."],
            codex.Arguments(Invocation(resume: true, session: "thread-1")));
        Assert.False(codex.ChoosesSessionId);
    }

    [Fact]
    public void Codex_and_gemini_name_the_role_file_in_the_prompt_having_no_flag_for_it()
    {
        var codex = new CodexAdapter().Arguments(Invocation(session: null, role: "/tmp/role.md"));
        Assert.StartsWith("Act in the role described in the file /tmp/role.md", codex[^1], StringComparison.Ordinal);
        Assert.EndsWith("Fix the failing test.", codex[^1], StringComparison.Ordinal);

        var gemini = new GeminiAdapter().Arguments(Invocation(session: null, role: "/tmp/role.md"));
        Assert.StartsWith("--prompt=Act in the role described in the file /tmp/role.md", gemini[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Gemini_streams_json_allows_the_listed_tools_and_resumes_its_session()
    {
        var gemini = new GeminiAdapter();
        Assert.Equal(
            ["--prompt=Fix the failing test.", "--output-format", "stream-json", "--approval-mode", "auto_edit", "--model", "gemini-2.5-pro",
                "--allowed-tools", "read_file", "--allowed-tools", "run_shell_command(git)"],
            gemini.Arguments(Invocation(session: null, model: "gemini-2.5-pro", allowed: ["read_file", "run_shell_command(git)"])));
        Assert.Equal(["--prompt=Fix the failing test.", "--output-format", "stream-json", "--approval-mode", "auto_edit", "--resume", "s-1"],
            gemini.Arguments(Invocation(resume: true, session: "s-1")));
    }

    [Fact]
    public void Aider_reads_the_prompt_file_says_yes_never_commits_itself_and_restores_its_chat_on_a_resume()
    {
        var aider = new AiderAdapter();
        string[] fixedFlags =
        [
            "--message-file", "/tmp/prompt.md", "--yes-always", "--no-pretty", "--no-stream", "--no-auto-commits", "--no-gitignore",
            "--no-check-update", "--no-show-release-notes", "--analytics-disable",
        ];
        Assert.Equal([.. fixedFlags, "--model", "sonnet", "--read", "/tmp/role.md"], aider.Arguments(Invocation(session: null, model: "sonnet", role: "/tmp/role.md")));
        Assert.Equal([.. fixedFlags, "--restore-chat-history"], aider.Arguments(Invocation(resume: true, session: null)));
        Assert.DoesNotContain("Fix the failing test.", aider.Arguments(Invocation()));
    }

    [Fact]
    public void Each_cli_has_its_adapter_program_configuration_and_credentials()
    {
        foreach (var cli in Enum.GetValues<AgentCli>())
        {
            var adapter = AgentAdapters.For(cli);
            Assert.Equal(cli, adapter.Cli);
            Assert.Equal(cli.ToWire(), adapter.Program);
            Assert.NotEmpty(adapter.ConfigPaths);
            Assert.NotEmpty(adapter.CredentialVariables);
            Assert.NotSame(adapter, AgentAdapters.For(cli));
        }

        Assert.Contains(".claude/", AgentAdapters.For(AgentCli.Claude).ConfigPaths);
        Assert.Contains("AGENTS.md", AgentAdapters.For(AgentCli.Codex).ConfigPaths);
        Assert.Contains("GEMINI.md", AgentAdapters.For(AgentCli.Gemini).ConfigPaths);
        Assert.Contains(".aider.conf.yml", AgentAdapters.For(AgentCli.Aider).ConfigPaths);
        Assert.True(AgentAdapters.For(AgentCli.Claude).ChoosesSessionId);
    }
}
