using System.Diagnostics;
using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;
using Cairn.Executors.Agent;

namespace Cairn.Core.Tests.Engine;

/// <summary>A real agent (the stub CLI) on a leased job, through the engine's reporter into the real store: what it
/// prints is masked like any step's output, and its record is written under the lease before the attempt ends.</summary>
public sealed class AgentReportingTests
{
    private const string ApiKey = "sk-test-0123456789abcdef";

    [Fact]
    public async Task SecretPrintedByTheAgent_IsMasked_AndItsRecordIsStoredUnderTheLease()
    {
        var token = TestContext.Current.CancellationToken;
        await using var engine = await EngineHarness.CreateAsync();
        using var folder = new TempDirectory();
        var repo = folder.Combine("repo");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(repo, "README.md"), "hi\n");
        Git(repo, "add", "-A");
        Git(repo, "-c", "user.name=T", "-c", "user.email=t@localhost", "commit", "-q", "-m", "base");
        var sha = Git(repo, "rev-parse", "HEAD").Trim();
        var bin = StubAgents.CreateBin(folder.Combine("bin"), """
            { "start": { "steps": [ { "secretFrom": "ANTHROPIC_API_KEY" }, { "result": "success", "costUsd": 0.5 } ] } }
            """);

        var run = await engine.Store.CreateRunAsync(EngineHarness.Plan("jobs:\n  implement: { steps: [{ run: 'true' }] }\n"), token);
        var job = (await engine.Store.GetJobsAsync(run.Id, token))[0];
        Assert.Equal(JobStatus.Queued, job.Status);
        var lease = (await engine.Store.TryLeaseAsync("w/1", [], token))!;
        var masker = new SecretMasker([KeyValuePair.Create("ANTHROPIC_API_KEY", ApiKey)]);
        var reporter = new JobReporter(lease.Job, 0, engine.Store, engine.Observer, masker, TimeProvider.System, leaseId: lease.LeaseId);
        var agent = new AgentSpec("implementer", AgentCli.Claude, null, null, [], [], AgentLimits.None, "Do it.", [], AgentBranches.For(run.Id, "implement"), sha, null);
        var env = new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = ApiKey,
            ["CAIRN_STUB_SCENARIO"] = Path.Combine(bin, ".cairn-stub.json"),
        };
        var spec = new JobSpec(run.Id, job.Id, "implement", lease.Attempt, repo, null, null, env,
            [new StepSpec(0, "agent", "", new Dictionary<string, string>(), null, null)], null, ExpressionContext.Empty)
        {
            Agent = agent,
            SecretNames = ["ANTHROPIC_API_KEY"],
        };
        var executor = new AgentExecutor(new AgentExecutorOptions { Root = folder.Combine("agents"), SearchPath = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" }, TimeProvider.System);

        var outcome = await executor.RunAsync(spec, reporter, token);
        await reporter.DisposeAsync();

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var lines = (await engine.Store.ReadLogAsync(job.Id, 0, 10_000, token)).Select(l => l.Text).ToList();
        Assert.Contains("assistant: The value of ANTHROPIC_API_KEY is ***", lines);
        Assert.DoesNotContain(lines, l => l.Contains(ApiKey, StringComparison.Ordinal));
        var record = await ((IAgentSessionStore)engine.Store).GetAgentSessionAsync(job.Id, lease.Attempt, token);
        Assert.NotNull(record);
        Assert.True(record.Report.Ended);
        Assert.Equal(0.5m, record.Report.Usage.CostUsd);
        Assert.Equal(Git(repo, "rev-parse", agent.Branch).Trim(), record.Report.Head);
    }

    private static string Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
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
}
