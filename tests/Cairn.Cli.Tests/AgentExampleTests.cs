using System.Diagnostics;

namespace Cairn.Cli.Tests;

/// <summary>examples/agent-task runs on a laptop as its README says: in a git repository of its own, with its stand-in
/// for Claude Code on PATH. The gate is decided by whoever runs it: <c>--approve</c>, or rejected with no terminal.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentExampleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task AgentTask_FixesItsTypoInTheResumedSession_IsReviewed_Approved_AndLeavesItsBranchHere()
    {
        var example = await RepositoryOfExampleAsync();

        var result = await CairnProcess.RunAsync(_dir.Path, WithStandIn(example), "run", "agent-task", "--approve");

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal("succeeded", table.Status);
        Assert.All(table.Rows, r => Assert.Equal("succeeded", r.Status));

        var implement = CairnOutput.LinesOf(result.Stdout, "implement");
        Assert.Contains("greeting.txt says: Helo, Cairn!", implement);
        // The second attempt goes on with the first attempt's session, which the stand-in kept under the agent's home.
        var sessions = implement.Where(l => l.StartsWith("session: ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Equal(sessions[0], sessions[1]);
        Assert.Contains($"resuming claude session {sessions[0]} on cairn/1-implement", implement);
        Assert.Contains("approved by", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.Contains("cairn run does not publish: the branch cairn/1-review stays in this repository", CairnOutput.LinesOf(result.Stdout, "publish"));

        // The agents' work is on their branches in the person's repository; main is untouched.
        Assert.Equal("Hello, Cairn!", (await GitAsync(example, "show", "cairn/1-review:greeting.txt")).Trim());
        Assert.Equal("Hello, Cairn!", (await GitAsync(example, "show", "cairn/1-implement:greeting.txt")).Trim());
        Assert.False(File.Exists(Path.Combine(example, "greeting.txt")));
    }

    [Fact]
    public async Task AgentTask_WithNoTerminalAndNoApprove_RejectsTheGate_AndPublishesNothing()
    {
        var example = await RepositoryOfExampleAsync();

        var result = await CairnProcess.RunAsync(_dir.Path, WithStandIn(example), "run", "agent-task");

        Assert.True(result.ExitCode != 0, result.ToString());
        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal("cancelled", table["approve"].Status);
        Assert.Equal("skipped", table["publish"].Status);
        Assert.Contains("pass --approve to approve its gates", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> WithStandIn(string example) => new()
    {
        ["PATH"] = $"{Path.Combine(example, "stand-in")}:{Environment.GetEnvironmentVariable("PATH")}",
    };

    private async Task<string> RepositoryOfExampleAsync()
    {
        var source = Path.Combine(BuildLayout.RepositoryRoot, "examples", "agent-task");
        var target = _dir.Combine("agent-task");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        File.SetUnixFileMode(Path.Combine(target, "stand-in", "claude"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await GitAsync(target, "init", "-q", "-b", "main");
        await GitAsync(target, "add", "-A");
        await GitAsync(target, "-c", "user.name=Example", "-c", "user.email=example@example.com", "commit", "-q", "-m", "start");
        return target;
    }

    private static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await git.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await git.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        return output;
    }
}
