using System.Collections.Concurrent;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage.Sqlite;

namespace Cairn.Core.Tests.Engine;

/// <summary>The whole engine on a real SQLite file: load YAML, plan, run with N in-process workers.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private EngineHarness(TempDirectory directory, SqliteRunStore store)
    {
        _directory = directory;
        Store = store;
        Workspace = directory.Combine("workspace");
        Directory.CreateDirectory(Workspace);
    }

    public SqliteRunStore Store { get; }

    public RecordingObserver Observer { get; } = new();

    public string Workspace { get; }

    public static async Task<EngineHarness> CreateAsync()
    {
        var directory = new TempDirectory();
        var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = directory.Combine("engine.db") }, TimeProvider.System, CancellationToken.None);
        return new EngineHarness(directory, store);
    }

    public static RunPlan Plan(string yaml, IReadOnlyDictionary<string, string>? inputs = null, PlanOptions? options = null)
    {
        var loaded = PipelineLoader.Load(yaml, ".cairn.yml");
        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));
        var trigger = TriggerEvent.Manual("acme/widgets", "refs/heads/main", "0123456789abcdef0123456789abcdef01234567", inputs ?? new Dictionary<string, string>());
        var planned = RunPlanner.Plan(loaded.Pipeline!, trigger, options);
        Assert.True(planned.Plan is not null, string.Join(Environment.NewLine, planned.Errors));
        return planned.Plan!;
    }

    public async Task<(RunRecord Run, Dictionary<string, JobRecord> Jobs)> RunAsync(
        string yaml,
        IExecutor executor,
        int parallel = 2,
        IReadOnlyDictionary<string, string>? secrets = null,
        IReadOnlyDictionary<string, string>? inputs = null,
        CancellationTokenSource? cancel = null,
        long maxLogBytes = JobReporter.DefaultMaxLogBytes,
        Func<RunPlan, RunPlan>? alter = null,
        Agents.IAgentBudget? budget = null)
    {
        var coordinator = new RunCoordinator(Store, TimeProvider.System);
        var services = new JobWorkerContext(
            Store,
            Store,
            coordinator,
            new SingleExecutorResolver(executor),
            new FixedWorkspaceProvider(Workspace),
            new InMemorySecretSource(secrets ?? new Dictionary<string, string>()),
            Observer,
            new RetryPolicy(new Random(7), TimeSpan.FromMilliseconds(10)),
            TimeProvider.System) { MaxLogBytes = maxLogBytes, AgentBudget = budget };
        var run = await new InProcessRunHost(services, parallel).ExecuteAsync((alter ?? (p => p))(Plan(yaml, inputs)), cancel?.Token ?? TestContext.Current.CancellationToken);
        var jobs = await Store.GetJobsAsync(run.Id, CancellationToken.None);
        return (run, jobs.ToDictionary(j => j.Name, StringComparer.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>Remembers what the workers reported, in order.</summary>
internal sealed class RecordingObserver : IRunObserver
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentQueue<(string Job, StoredLogLine Line)> _lines = new();
    private int _running;
    private int _maxRunning;

    public IReadOnlyList<string> Events => _events.ToList();

    public int MaxConcurrentJobs => Volatile.Read(ref _maxRunning);

    public IReadOnlyList<string> LinesOf(string job) => _lines.Where(l => l.Job == job).Select(l => l.Line.Text).ToList();

    public void JobStarted(JobRecord job)
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }

        _events.Enqueue($"start {job.Name}");
    }

    public void StepStarted(JobRecord job, StepSpec step, DateTimeOffset at) => _events.Enqueue($"step {job.Name}/{step.Name}");

    public void Log(JobRecord job, StoredLogLine line) => _lines.Enqueue((job.Name, line));

    public void StepFinished(JobRecord job, StepSpec step, StepOutcome outcome) =>
        _events.Enqueue($"step-end {job.Name}/{step.Name} {outcome.Status}");

    public void JobFinished(JobRecord job, JobCompletion completion)
    {
        Interlocked.Decrement(ref _running);
        _events.Enqueue($"end {job.Name} {completion.Status.ToWire()}{(completion.RetryAt is null ? "" : " retry")}");
    }
}
