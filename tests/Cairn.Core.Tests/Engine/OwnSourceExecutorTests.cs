using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Engine;

/// <summary>A job on an executor that fetches its own source (a pod): no local workspace, a spec that says where to fetch
/// and under which lease, and the executor's waiting reason kept on the job while it waits. On the real SQLite store.</summary>
public sealed class OwnSourceExecutorTests : IAsyncDisposable
{
    private const string Yaml = """
        name: away
        jobs:
          build:
            secrets: [TOKEN_B, TOKEN_A]
            steps:
              - run: make
        """;

    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    private readonly EngineHarness _engine = EngineHarness.CreateAsync().GetAwaiter().GetResult();
    private readonly RecordingWorkspaces _workspaces = new();

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static IReadOnlyDictionary<string, string> Secrets => new Dictionary<string, string>
    {
        ["TOKEN_A"] = "secret-value-a-123",
        ["TOKEN_B"] = "secret-value-b-456",
    };

    [Fact]
    public async Task OwnSourceJob_GetsNoLocalWorkspace_AndASpecThatSaysWhereToFetch()
    {
        var executor = new AwayExecutor();
        var issuer = new RecordingIssuer();

        var (run, job) = await RunAsync(executor, issuer, "acme/widgets");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(0, _workspaces.Prepared);
        var spec = Assert.Single(executor.Specs);
        Assert.Equal("/workspace", spec.Workspace);
        Assert.Equal("/workspace", spec.Env["CAIRN_WORKSPACE"]);
        Assert.Equal(new JobSource(new Uri("https://cairn.example/git/acme/widgets.git"), Sha, "token-for-" + issuer.Leases.Single()), spec.Source);
        Assert.Equal(issuer.Leases.Single(), spec.LeaseId);
        Assert.Equal(["TOKEN_A", "TOKEN_B"], spec.SecretNames);
        Assert.Equal("secret-value-a-123", spec.Env["TOKEN_A"]);
        Assert.Equal(JobStatus.Succeeded, job.Status);
    }

    [Fact]
    public async Task OwnSourceJob_WithoutASourceIssuer_FailsAsConfig_SayingWhy()
    {
        var executor = new AwayExecutor();

        var (run, job) = await RunAsync(executor, issuer: null, "acme/widgets");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Empty(executor.Specs);
        Assert.Equal(FailureClass.Config, job.FailureClass);
        Assert.Equal("this job's executor fetches the run's source from a Cairn server, and this worker has none to hand it out", job.FailureDetail);
    }

    [Fact]
    public async Task OwnSourceJob_OfARunWithoutRepository_HasNoSource()
    {
        var executor = new AwayExecutor();

        var (run, _) = await RunAsync(executor, issuer: null, repository: null);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var spec = Assert.Single(executor.Specs);
        Assert.Null(spec.Source);
        Assert.Equal("/workspace", spec.Workspace);
        Assert.Equal(0, _workspaces.Prepared);
    }

    [Fact]
    public async Task WaitingReason_IsTheRunningJobsPendingReason_UntilItEnds()
    {
        var executor = new AwayExecutor { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        executor.OnStart = reporter =>
        {
            reporter.Waiting("waiting for a node: 0/3 nodes are available (first)");
            reporter.Waiting("waiting for a node: 0/3 nodes are available: 3 Insufficient cpu; TOKEN_A=secret-value-a-123");
        };
        var running = RunAsync(executor, new RecordingIssuer(), "acme/widgets");

        var waiting = await Eventually.ValueAsync<JobRecord?>(
            async () => (await _engine.Store.ListRunsAsync(new RunQuery(), Token)) is [var r, ..]
                ? (await _engine.Store.GetJobsAsync(r.Id, Token)).SingleOrDefault(j => j.PendingReason is { } p && p.Contains("Insufficient", StringComparison.Ordinal))
                : null,
            job => job is not null,
            "the executor's latest waiting reason is stored",
            cancellationToken: Token);
        Assert.NotNull(waiting);
        var run = await _engine.Store.GetRunAsync(waiting.RunId, Token);
        var reason = PendingReasons.Of(run!, [waiting], null, DateTimeOffset.UtcNow)[waiting.Id];
        executor.Hold.SetResult();
        var (_, ended) = await running;

        Assert.Equal(JobStatus.Running, waiting.Status);
        Assert.Equal("waiting for a node: 0/3 nodes are available: 3 Insufficient cpu; TOKEN_A=***", waiting.PendingReason);
        Assert.Equal(PendingReasonKind.Executor, reason.Kind);
        Assert.Equal("executor", reason.KindWire);
        Assert.Equal(waiting.PendingReason, reason.Text);
        Assert.Null(ended.PendingReason);
        Assert.Empty(PendingReasons.Of(run!, [ended], null, DateTimeOffset.UtcNow));
    }

    private async Task<(RunRecord Run, JobRecord Job)> RunAsync(AwayExecutor executor, RecordingIssuer? issuer, string? repository)
    {
        var loaded = PipelineLoader.Load(Yaml, ".cairn.yml");
        var trigger = TriggerEvent.Manual(repository, "refs/heads/main", Sha, new Dictionary<string, string>());
        var plan = RunPlanner.Plan(loaded.Pipeline!, trigger, null).Plan!;
        var services = new JobWorkerContext(
            _engine.Store,
            _engine.Store,
            new RunCoordinator(_engine.Store, TimeProvider.System),
            new SingleExecutorResolver(executor),
            _workspaces,
            new InMemorySecretSource(Secrets),
            NullRunObserver.Instance,
            new RetryPolicy(),
            TimeProvider.System)
        {
            Sources = issuer,
        };
        var run = await new InProcessRunHost(services, 1).ExecuteAsync(plan, Token);
        return (run, (await _engine.Store.GetJobsAsync(run.Id, Token)).Single());
    }

    /// <summary>Records the specs it is given; succeeds once <see cref="Hold"/> (if any) is released.</summary>
    private sealed class AwayExecutor : IExecutor, IFetchesOwnSource
    {
        public List<JobSpec> Specs { get; } = [];

        public TaskCompletionSource? Hold { get; init; }

        public Action<IJobReporter>? OnStart { get; set; }

        public string Name => "away";

        public string WorkspacePath => "/workspace";

        public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
        {
            Specs.Add(job);
            OnStart?.Invoke(reporter);
            if (Hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
                reporter.Waiting(null);
            }

            return new JobOutcome(JobStatus.Succeeded, 0, null, null, []);
        }
    }

    private sealed class RecordingIssuer : IJobSourceIssuer
    {
        public List<Guid> Leases { get; } = [];

        public Task<JobSource?> IssueAsync(JobLease lease, RunRecord run, CancellationToken cancellationToken)
        {
            Leases.Add(lease.LeaseId);
            return Task.FromResult<JobSource?>(
                new JobSource(new Uri($"https://cairn.example/git/{run.Repository}.git"), run.Sha!, $"token-for-{lease.LeaseId}"));
        }
    }

    private sealed class RecordingWorkspaces : IWorkspaceProvider
    {
        private int _prepared;

        public int Prepared => Volatile.Read(ref _prepared);

        public Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _prepared);
            return Task.FromResult(Path.GetTempPath());
        }

        public Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
