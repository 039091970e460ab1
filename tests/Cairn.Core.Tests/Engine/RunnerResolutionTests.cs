using System.Collections.Concurrent;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;

namespace Cairn.Core.Tests.Engine;

/// <summary>Runner aliases through the whole engine: planned labels, config failures, and what reaches the job spec.</summary>
public sealed class RunnerResolutionTests
{
    private static readonly RunnerCatalog Catalog = RunnerCatalogLoader.Load("""
        default: small
        runners:
          small: { executor: container, cpu: 500m, memory: 512Mi }
          large: { executor: container, cpu: 2, memory: 4Gi, labels: [linux, big], image: debian:12 }
          host:  { executor: shell }
        """, "runners.yml").Catalog!;

    [Fact]
    public void PlannedJobs_CarryTheirAliasLabels()
    {
        var plan = EngineHarness.Plan("""
            jobs:
              a: { runner: large, steps: [{ run: make }] }
              b: { runner: host, steps: [{ run: make }] }
              c: { image: alpine:3, steps: [{ run: make }] }
              d: { runner: xl, steps: [{ run: make }] }
            """, options: new PlanOptions(Runners: Catalog));

        var labels = plan.Jobs.ToDictionary(j => j.Name, j => j.Labels);
        Assert.Equal(["linux", "big"], labels["a"]);
        Assert.Empty(labels["b"]);
        Assert.Empty(labels["c"]);
        Assert.Empty(labels["d"]);
    }

    [Fact]
    public void RunnerWrittenAsAnExpression_IsResolvedToItsLabelsAfterExpansion()
    {
        var plan = EngineHarness.Plan("""
            jobs:
              a:
                matrix: { size: [large, host] }
                runner: "${{ matrix.size }}"
                steps: [{ run: make }]
            """, options: new PlanOptions(Runners: Catalog));

        Assert.Equal(["linux", "big"], plan.Jobs.Single(j => j.Name == "a (large)").Labels);
        Assert.Empty(plan.Jobs.Single(j => j.Name == "a (host)").Labels);
    }

    [Fact]
    public async Task UnknownRunner_FailsTheJobBeforeItStarts_AsConfig()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var container = new SpecRecorder();

        var (run, jobs) = await RunAsync(engine, """
            jobs:
              build: { runner: xl, steps: [{ run: make }] }
              after: { needs: [build], runner: host, steps: [{ run: echo after }] }
            """, container);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal((JobStatus.Failed, FailureClass.Config), (jobs["build"].Status, jobs["build"].FailureClass));
        Assert.Equal("unknown runner 'xl' (known: small, large, host)", jobs["build"].FailureDetail);
        Assert.Contains("error: unknown runner 'xl' (known: small, large, host)", engine.Observer.LinesOf("build"));
        Assert.Equal(JobStatus.Skipped, jobs["after"].Status);
        Assert.Empty(container.Specs);
    }

    [Fact]
    public async Task AliasLimitsDefaultImageAndServices_ReachTheJobSpec()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var container = new SpecRecorder();

        var (run, _) = await RunAsync(engine, """
            env: { PASSWORD: s3cret }
            jobs:
              plain: { image: alpine:3, steps: [{ run: make }] }
              big:
                runner: large
                matrix: { pg: ["15"] }
                services:
                  db: { image: "postgres:${{ matrix.pg }}", env: { POSTGRES_PASSWORD: "${{ env.PASSWORD }}" } }
                  cache: { image: redis:7, command: [redis-server, --save, ""] }
                steps: [{ run: ./integration-tests.sh }]
            """, container);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var plain = container.Specs["plain"];
        Assert.Equal(("alpine:3", new ResourceLimits(0.5, 512L << 20)), (plain.Image, plain.Resources));
        Assert.Empty(plain.Services);
        var big = container.Specs["big (15)"];
        Assert.Equal(("debian:12", new ResourceLimits(2, 4L << 30)), (big.Image, big.Resources));
        Assert.Equal(["db", "cache"], big.Services.Select(s => s.Name));
        Assert.Equal("postgres:15", big.Services[0].Image);
        Assert.Equal("s3cret", big.Services[0].Env["POSTGRES_PASSWORD"]);
        Assert.Null(big.Services[0].Command);
        Assert.Equal(["redis-server", "--save", ""], big.Services[1].Command);
    }

    [Fact]
    public async Task ServicesOnAShellRunner_FailTheJob_AsConfig()
    {
        await using var engine = await EngineHarness.CreateAsync();

        var (_, jobs) = await RunAsync(engine, """
            jobs:
              test:
                runner: host
                services: { db: { image: postgres:15 } }
                steps: [{ run: ./integration-tests.sh }]
            """, new SpecRecorder());

        Assert.Equal(FailureClass.Config, jobs["test"].FailureClass);
        Assert.Equal("job 'test' has services, which need the container executor; its runner 'host' uses shell", jobs["test"].FailureDetail);
    }

    private static async Task<(RunRecord Run, Dictionary<string, JobRecord> Jobs)> RunAsync(EngineHarness engine, string yaml, SpecRecorder container)
    {
        var executors = new Dictionary<string, IExecutor> { ["shell"] = new ShellExecutor(), ["container"] = container };
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var services = new JobWorkerContext(
            engine.Store,
            engine.Store,
            coordinator,
            new RunnerExecutorResolver(Catalog, executors),
            new FixedWorkspaceProvider(engine.Workspace),
            InMemorySecretSource.Empty,
            engine.Observer,
            new RetryPolicy(),
            TimeProvider.System);
        var plan = EngineHarness.Plan(yaml, options: new PlanOptions(Runners: Catalog));
        var run = await new InProcessRunHost(services, 2).ExecuteAsync(plan, TestContext.Current.CancellationToken);
        var jobs = await engine.Store.GetJobsAsync(run.Id, CancellationToken.None);
        return (run, jobs.ToDictionary(j => j.Name, StringComparer.Ordinal));
    }

    /// <summary>Stands in for the container executor: keeps each job's spec and succeeds without starting anything.</summary>
    private sealed class SpecRecorder : IExecutor
    {
        public ConcurrentDictionary<string, JobSpec> Specs { get; } = new(StringComparer.Ordinal);

        public string Name => "container";

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
        {
            Specs[job.JobName] = job;
            return Task.FromResult(new JobOutcome(JobStatus.Succeeded, 0, null, null, []));
        }
    }
}
