using System.Diagnostics;
using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

/// <summary>The real Claude Code CLI run with exactly the arguments the adapter builds. There is no network here, so
/// it must take every flag and end promptly with an error that reads as an API error or a refusal, in its own words.</summary>
public sealed class RealClaudeCodeTests
{
    [ClaudeCodeFact]
    public async Task The_real_cli_takes_the_adapters_arguments_and_ends_offline_as_an_api_error_in_its_own_words()
    {
        using var dir = new TempDirectory();
        var role = dir.WriteFile("role.md", "You fix failing tests.");
        Directory.CreateDirectory(dir.Combine("home"));
        Directory.CreateDirectory(dir.Combine("work"));
        var adapter = new ClaudeCodeAdapter();
        var invocation = new AgentInvocation(
            "Say hi.", dir.WriteFile("prompt.md", "Say hi."), "sonnet", role, ["Read", "Edit", "Bash(dotnet test *)"], ["WebFetch"],
            new AgentLimits(3, 0.5m, null, null), Guid.NewGuid().ToString(), false, dir.Combine("work"));

        var (events, stderr, exitCode) = await RunAsync(adapter, invocation, dir.Combine("home"), TestContext.Current.CancellationToken);

        Assert.DoesNotContain("unknown option", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", stderr, StringComparison.Ordinal);
        Assert.Equal(invocation.SessionId, Assert.IsType<AgentEvent.Session>(events[0]).SessionId);
        var result = Assert.IsType<AgentEvent.Result>(events.Last(e => e is AgentEvent.Result));
        Assert.Contains(result.Kind, new[] { AgentResultKind.ApiError, AgentResultKind.Refused });
        Assert.Contains("API Error", result.Detail, StringComparison.Ordinal);
        Assert.NotEqual(0, exitCode);
    }

    [ClaudeCodeFact]
    public async Task The_real_cli_says_of_an_unknown_session_what_the_stub_says()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("home"));
        Directory.CreateDirectory(dir.Combine("work"));
        var session = Guid.NewGuid().ToString();
        var invocation = new AgentInvocation("Go on.", dir.WriteFile("prompt.md", "Go on."), null, null, [], [], AgentLimits.None, session, true, dir.Combine("work"));

        var (events, stderr, exitCode) = await RunAsync(new ClaudeCodeAdapter(), invocation, dir.Combine("home"), TestContext.Current.CancellationToken);

        Assert.Contains($"No conversation found with session ID: {session}", stderr, StringComparison.Ordinal);
        var result = Assert.IsType<AgentEvent.Result>(Assert.Single(events));
        Assert.Equal(AgentResultKind.Refused, result.Kind);
        Assert.Equal($"No conversation found with session ID: {session}", result.Detail);
        Assert.Equal(1, exitCode);
    }

    private static async Task<(List<AgentEvent> Events, string Stderr, int ExitCode)> RunAsync(
        ClaudeCodeAdapter adapter, AgentInvocation invocation, string home, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ClaudeCodeFactAttribute.Program!)
        {
            WorkingDirectory = invocation.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["HOME"] = home;
        start.Environment["ANTHROPIC_API_KEY"] = "sk-ant-dummy";
        // Offline, the CLI retries its API ten times over about three minutes; two retries say the same sooner.
        start.Environment["CLAUDE_CODE_MAX_RETRIES"] = "2";
        foreach (var arg in adapter.Arguments(invocation))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        var events = new List<AgentEvent>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                events.AddRange(adapter.Parse(line));
            }

            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (events, await stderr, process.ExitCode);
    }
}
