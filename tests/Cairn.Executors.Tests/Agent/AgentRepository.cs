using System.Diagnostics;
using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Executors.Agent;

namespace Cairn.Executors.Tests.Agent;

/// <summary>A real git repository for agent jobs, the stub CLIs on a bin folder, and the executor's state folder.</summary>
internal sealed class AgentRepository : IDisposable
{
    private readonly TempDirectory _directory = new();

    public AgentRepository(string? scenario = null)
    {
        Path = _directory.Combine("repo");
        Root = _directory.Combine("agents");
        Directory.CreateDirectory(Path);
        Git("init", "-q", "-b", "main");
        Write("README.md", "hello\n");
        Write("CLAUDE.md", "base instructions\n");
        Write("roles/implementer.md", "base role\n");
        Write(".cairn.yml", "jobs: {}\n");
        Commit("base");
        BaseSha = Git("rev-parse", "HEAD").Trim();
        Bin = StubAgents.CreateBin(_directory.Combine("bin"), scenario);
    }

    public string Path { get; }

    public string Root { get; }

    public string Bin { get; }

    public string BaseSha { get; }

    public string Home => System.IO.Path.Combine(Root, "run-1", "job-1", "home");

    public string JobFolder => System.IO.Path.Combine(Root, "run-1", "job-1");

    public string Combine(string name) => _directory.Combine(name);

    public AgentExecutorOptions Options(Action<Dictionary<AgentCli, string>>? paths = null)
    {
        var cli = new Dictionary<AgentCli, string>();
        paths?.Invoke(cli);
        return new AgentExecutorOptions
        {
            Root = Root,
            SearchPath = $"{Bin}:{Environment.GetEnvironmentVariable("PATH")}",
            CliPaths = cli,
            FirstOutput = TimeSpan.FromSeconds(30),
            AfterResultGrace = TimeSpan.FromSeconds(1),
            WatchInterval = TimeSpan.FromMilliseconds(50),
        };
    }

    public JobSpec Job(
        AgentLimits? limits = null,
        string? role = null,
        string? startBranch = null,
        IReadOnlyList<KeyValuePair<string, string>>? inputs = null,
        IReadOnlyList<StepSpec>? verify = null,
        IReadOnlyDictionary<string, string>? env = null,
        int attempt = 1,
        AgentResume? resume = null)
    {
        var agent = new AgentSpec(
            "implementer", AgentCli.Claude, null, role, ["Read", "Edit"], [], limits ?? AgentLimits.None, "Implement the change.",
            inputs ?? [], AgentBranches.For(1, "implement"), BaseSha, startBranch) { Resume = resume };
        var steps = new List<StepSpec> { new(0, "agent", "", new Dictionary<string, string>(), null, null) };
        steps.AddRange(verify ?? []);
        // The stub's scenario is named as a job's variable would be: nothing else of this process reaches the CLI.
        var variables = new Dictionary<string, string>(env ?? new Dictionary<string, string>())
        {
            ["CAIRN_STUB_SCENARIO"] = System.IO.Path.Combine(Bin, ".cairn-stub.json"),
        };
        return new JobSpec(1, 1, "implement", attempt, Path, null, null, variables, steps, null, ExpressionContext.Empty)
        {
            Agent = agent,
        };
    }

    public void Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public void Commit(string message)
    {
        Git("add", "-A");
        Git("-c", "user.name=Test", "-c", "user.email=test@localhost", "commit", "-q", "-m", message);
    }

    public string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEndAsync();
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error.Result}");
        return output;
    }

    public void Dispose() => _directory.Dispose();
}
