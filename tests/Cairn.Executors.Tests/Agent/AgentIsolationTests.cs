using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Agent;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Tests.Agent;

/// <summary>On a server running as root an agent is a step like any other: it runs as the user steps run as, in a
/// worktree and HOME outside the server's own folder (which that user cannot enter), and reads nothing of the server's.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentIsolationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [RootFact]
    public async Task AsRoot_TheAgentRunsAsTheStepsUser_OutsideTheServersFolder_AndCannotReadItsKey()
    {
        using var repo = new AgentRepository();
        var top = Path.GetDirectoryName(repo.Combine("x"))!;
        File.SetUnixFileMode(top, (UnixFileMode)0b111_001_001);
        Directory.CreateDirectory(repo.Root, (UnixFileMode)0b111_000_000);
        var key = Path.Combine(repo.Root, "master.key");
        File.WriteAllText(key, "the-master-key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var cli = repo.Combine("claude-as-step");
        File.WriteAllText(cli, $$$"""
            #!/bin/sh
            echo '{"type":"system","subtype":"init","session_id":"s-1","model":"m"}'
            said="uid $(id -u) home-owner $(stat -c %U "$HOME") key $(cat '{{{key}}}' 2>/dev/null || echo unreadable)"
            echo "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"$said\"}]}}"
            echo made > made-by-agent.txt
            echo '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"ok","session_id":"s-1"}'
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(cli, (UnixFileMode)0b111_101_101);
        var options = repo.Options(p => p[AgentCli.Claude] = cli);
        var isolated = new AgentExecutorOptions
        {
            Root = options.Root,
            WorkRoot = repo.Combine("work"),
            CliPaths = options.CliPaths,
            SearchPath = "/usr/bin:/bin",
            WatchInterval = options.WatchInterval,
            Shell = new ShellExecutorOptions
            {
                Environment = new StepEnvironmentPolicy(true, "/usr/bin:/bin", []),
                IsolateSteps = true,
                SwitchUsers = true,
                DefaultUser = "nobody",
                HomeRoot = repo.Combine("homes"),
            },
        };
        var verify = new StepSpec(1, "who", "id -un; cat made-by-agent.txt", new Dictionary<string, string>(), null, null);
        var reporter = new RecordingJobReporter();

        var outcome = await new AgentExecutor(isolated, TimeProvider.System).RunAsync(repo.Job(verify: [verify]), reporter, Token);

        Assert.True(outcome.Status == JobStatus.Succeeded, outcome.Detail);
        Assert.Contains("assistant: uid 65534 home-owner nobody key unreadable", reporter.Text(0, LogStream.Stdout));
        Assert.Equal(["nobody", "made"], reporter.Text(1, LogStream.Stdout));
        Assert.DoesNotContain(reporter.Lines, l => l.Text.Contains("the-master-key", StringComparison.Ordinal));
        Assert.Equal("made\n", repo.Git("show", $"{AgentBranches.For(1, "implement")}:made-by-agent.txt"));
        Assert.True(File.Exists(Path.Combine(repo.Root, "run-1", "job-1", "attempt-1.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(repo.Root, "run-1", "job-1", "home")));
    }
}
