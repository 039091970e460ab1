using Cairn.Core.Artifacts;
using Cairn.Core.Engine;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Tests.Engine;
using Cairn.Core.Triggers;
using Cairn.Executors.Shell;
using Cairn.Storage.Blobs;
using Cairn.Storage.Sqlite;

namespace Cairn.Core.Tests.Artifacts;

/// <summary>The engine with what artifacts and caches really run on: a SQLite store as their index, a folder as the blob
/// store, the shell executor, and a fresh workspace per job seeded with <see cref="Seed"/>.</summary>
internal sealed class ArtifactFlow : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    private ArtifactFlow(SqliteRunStore store, ArtifactSettings settings)
    {
        Store = store;
        Blobs = new FileSystemBlobStore(_directory.Combine("blobs"));
        Home = Directory.CreateDirectory(_directory.Combine("home")).FullName;
        Stashes = new StoreJobStashes(store, store, Blobs, store, settings, TimeProvider.System) { Runs = store };
    }

    public SqliteRunStore Store { get; }

    public FileSystemBlobStore Blobs { get; }

    public StoreJobStashes Stashes { get; }

    public RecordingObserver Observer { get; } = new();

    /// <summary>A HOME for the steps (set in the pipeline's env), so <c>~/</c> cache paths stay in the test's folder.</summary>
    public string Home { get; }

    /// <summary>Files every job's workspace starts with, by relative path.</summary>
    public Dictionary<string, string> Seed { get; } = new(StringComparer.Ordinal);

    public static async Task<ArtifactFlow> CreateAsync(ArtifactSettings? settings = null)
    {
        var directory = new TempDirectory();
        var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = directory.Combine("engine.db") }, TimeProvider.System, CancellationToken.None);
        return new ArtifactFlow(store, settings ?? ArtifactSettings.Default);
    }

    /// <summary>Plans and runs <paramref name="yaml"/> (its env gets HOME) as the trigger says, and answers the run and its
    /// jobs by name.</summary>
    public async Task<(RunRecord Run, Dictionary<string, JobRecord> Jobs)> RunAsync(string yaml, TriggerEvent? trigger = null, Execution.IExecutor? executor = null)
    {
        var loaded = PipelineLoader.Load(yaml.Replace("@HOME@", Home, StringComparison.Ordinal), ".cairn.yml");
        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));
        trigger ??= TriggerEvent.Manual("acme/widgets", "refs/heads/main", "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string>());
        var planned = RunPlanner.Plan(loaded.Pipeline!, trigger, null);
        Assert.True(planned.Plan is not null, string.Join(Environment.NewLine, planned.Errors));
        var services = new JobWorkerContext(
            Store,
            Store,
            new RunCoordinator(Store, TimeProvider.System),
            new SingleExecutorResolver(executor ?? new ShellExecutor()),
            new SeededWorkspaces(_directory.Combine("workspaces"), Seed),
            new InMemorySecretSource(new Dictionary<string, string>()),
            Observer,
            new RetryPolicy(new Random(7), TimeSpan.FromMilliseconds(10)),
            TimeProvider.System) { Stashes = Stashes };
        var run = await new InProcessRunHost(services, 2).ExecuteAsync(planned.Plan!, TestContext.Current.CancellationToken);
        var jobs = await Store.GetJobsAsync(run.Id, CancellationToken.None);
        return (run, jobs.ToDictionary(j => j.Name, StringComparer.Ordinal));
    }

    /// <summary>The system lines a job logged (what artifacts and caches say).</summary>
    public async Task<IReadOnlyList<string>> SystemLinesAsync(JobRecord job)
    {
        var lines = await Store.ReadLogAsync(job.Id, 0, 10_000, CancellationToken.None);
        return [.. lines.Where(l => l.Stream == LogStream.System).Select(l => l.Text)];
    }

    /// <summary>All the output a job logged.</summary>
    public async Task<IReadOnlyList<string>> OutputAsync(JobRecord job)
    {
        var lines = await Store.ReadLogAsync(job.Id, 0, 10_000, CancellationToken.None);
        return [.. lines.Select(l => l.Text)];
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>A fresh folder per job attempt holding the seed files, so a job sees only what it was given.</summary>
    private sealed class SeededWorkspaces(string root, Dictionary<string, string> seed) : IWorkspaceProvider
    {
        private readonly ScratchWorkspaceProvider _scratch = new(root);

        public async Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken)
        {
            var path = await _scratch.PrepareAsync(job, run, cancellationToken);
            foreach (var (name, text) in seed)
            {
                var file = Path.Combine(path, name);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, text, cancellationToken);
            }

            return path;
        }

        public Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken) =>
            _scratch.ReleaseAsync(job, workspace, cancellationToken);
    }
}
