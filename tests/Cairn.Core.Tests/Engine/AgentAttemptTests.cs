using System.Collections.Concurrent;
using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

/// <summary>An agent job's attempts on the engine: the record each writes, the session a later one resumes (or not), and
/// the daily budget that gives a job back to the queue until later.</summary>
public sealed class AgentAttemptTests
{
    private const string Yaml = """
        jobs:
          implement:
            steps:
              - run: "true"
        """;

    private static RunPlan AsAgentJob(RunPlan plan) => plan with
    {
        Jobs = [.. plan.Jobs.Select(j => j with { Definition = (JobDefinitionJson.Deserialize(j.Definition) with { Kind = "agent", Retry = new RetryJson(2, ["test", "agent-error"], 10) }).Serialize() })],
    };

    [Fact]
    public async Task VerifyFailure_ThenRetry_ResumesTheSession_WithTheFailingOutput()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new ScriptedAgent((spec, reporter) =>
        {
            reporter.Agent(Report("s-1", spec.Attempt == 1 ? "unit tests\n1 failed, 3 passed" : null));
            return spec.Attempt == 1 ? JobOutcome.Failed(FailureClass.Test, "1 test failed") : Succeeded();
        });

        var (run, jobs) = await engine.RunAsync(Yaml, executor, alter: AsAgentJob);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, jobs["implement"].Attempt);
        Assert.Contains("the agent resumes session s-1 of attempt 1", engine.Observer.LinesOf("implement"));
        var first = await engine.Store.GetAgentSessionsAsync(run.Id, TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], first.Select(r => r.Attempt));
        Assert.Equal("unit tests\n1 failed, 3 passed", first[0].Report.VerifyFailure);
        Assert.Equal(
            new AgentResume("s-1", AgentResumption.VerifyPrefix + "unit tests\n1 failed, 3 passed"),
            AgentResumption.For(FailureClass.Test, first[0]));
    }

    [Fact]
    public async Task AgentError_ThenRetry_StartsANewSession()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new ScriptedAgent((spec, reporter) =>
        {
            reporter.Agent(Report($"s-{spec.Attempt}", null));
            return spec.Attempt == 1 ? JobOutcome.Failed(FailureClass.AgentError, "agent-error: overloaded") : Succeeded();
        });

        var (run, _) = await engine.RunAsync(Yaml, executor, alter: AsAgentJob);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Contains("the agent starts a new session", engine.Observer.LinesOf("implement"));
        Assert.DoesNotContain(engine.Observer.LinesOf("implement"), l => l.StartsWith("the agent resumes", StringComparison.Ordinal));
    }

    [Fact]
    public void AgentLimit_AndAgentPolicy_AreNotRetried_WithoutARule()
    {
        var retry = new RetryPolicy(new Random(1), TimeSpan.FromSeconds(1));

        Assert.Null(retry.NextDelay(null, FailureClass.AgentLimit, 1));
        Assert.Null(retry.NextDelay(null, FailureClass.AgentPolicy, 1));
        Assert.Null(retry.NextDelay(new RetryJson(3, ["agent-policy"], null), FailureClass.AgentPolicy, 1));
    }

    [Fact]
    public void InfraLoss_Resumes_AndALimitOrAnAgentErrorDoesNot()
    {
        var record = new AgentSessionRecord(1, 2, 1, "acme/widgets", Report("s-9", "x"), DateTimeOffset.UnixEpoch);

        Assert.Equal(new AgentResume("s-9", AgentResumption.Interrupted), AgentResumption.For(FailureClass.Infra, record));
        Assert.Null(AgentResumption.For(FailureClass.AgentLimit, record));
        Assert.Null(AgentResumption.For(FailureClass.AgentError, record));
        Assert.Null(AgentResumption.For(FailureClass.Test, record with { Report = Report(null, "x") }));
        Assert.Null(AgentResumption.For(FailureClass.Test, record with { Report = Report("s-9", null) }));
    }

    [Fact]
    public async Task SpentBudget_GivesTheJobBack_WithItsReason_AndItRunsOnceTheBudgetAllows()
    {
        const string reason = "the repository's daily agent budget is spent";
        await using var engine = await EngineHarness.CreateAsync();
        var budget = new OnceRefusingBudget(reason, TimeSpan.FromSeconds(3));
        var started = new ConcurrentBag<int>();
        var executor = new ScriptedAgent((spec, _) =>
        {
            started.Add(spec.Attempt);
            return Succeeded();
        });

        var running = engine.RunAsync(Yaml, executor, alter: AsAgentJob, budget: budget);
        var waiting = await Eventually.ValueAsync(
            () => engine.Store.GetJobAsync(1, CancellationToken.None),
            job => job is { Status: JobStatus.Queued, PendingReason: not null },
            "the job is queued again with its reason",
            cancellationToken: TestContext.Current.CancellationToken);
        var (run, jobs) = await running;

        Assert.Equal(reason, waiting!.PendingReason);
        Assert.Equal(0, waiting.Attempt);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal([1], started);
        Assert.Equal(1, jobs["implement"].Attempt);
        Assert.Null(jobs["implement"].PendingReason);
        Assert.Equal(2, budget.Asked);
        Assert.Contains($"not started: {reason}", engine.Observer.LinesOf("implement"));
    }

    private static JobOutcome Succeeded() => new(JobStatus.Succeeded, 0, null, null, []);

    private static AgentReport Report(string? session, string? verifyFailure) =>
        new(AgentCli.Claude, null, session, new AgentUsage(1, 10, 10, 0.01m), "done", "cairn/1-implement", null, null, Ended: true)
        {
            VerifyFailure = verifyFailure,
        };

    private sealed class ScriptedAgent(Func<JobSpec, IJobReporter, JobOutcome> run) : IExecutor
    {
        public string Name => "scripted-agent";

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken) =>
            Task.FromResult(run(job, reporter));
    }

    /// <summary>Refuses the first time, until a moment ahead; allows after.</summary>
    private sealed class OnceRefusingBudget(string reason, TimeSpan wait) : IAgentBudget
    {
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public Task<(string Reason, DateTimeOffset Until)?> RefusalAsync(string repository, CancellationToken cancellationToken) =>
            Task.FromResult<(string Reason, DateTimeOffset Until)?>(
                Interlocked.Increment(ref _asked) == 1 ? (reason, DateTimeOffset.UtcNow + wait) : null);
    }
}
