using Cairn.Cli.Tests;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;

namespace Cairn.EndToEnd.Tests;

/// <summary>A store (a SQLite file, or a PostgreSQL database) that this test process queues runs into, and
/// <c>cairn worker</c> processes that drain it.</summary>
internal sealed class WorkerFleet : IAsyncDisposable
{
    private readonly List<CairnProcess> _workers = [];
    private readonly HashSet<CairnProcess> _killed = [];

    private readonly string _kind;
    private readonly string _connection;

    private WorkerFleet(TempDirectory directory, ICairnStore store, string kind, string connection)
    {
        Directory = directory;
        Store = store;
        _kind = kind;
        _connection = connection;
        Coordinator = new RunCoordinator(store, TimeProvider.System);
    }

    public TempDirectory Directory { get; }

    public ICairnStore Store { get; }

    public RunCoordinator Coordinator { get; }

    /// <summary>A fleet on a fresh SQLite file, or on <paramref name="postgres"/> when given.</summary>
    public static async Task<WorkerFleet> CreateAsync(string? postgres = null)
    {
        var directory = new TempDirectory();
        var (kind, connection) = postgres is null ? (RunStores.Sqlite, directory.Combine("cairn.db")) : (RunStores.Postgres, postgres);
        var store = await RunStores.OpenAsync(new StoreSettings(kind, connection), TimeProvider.System, CancellationToken.None);
        return new WorkerFleet(directory, store, kind, connection);
    }

    /// <summary>Plans the pipeline as a manual run, stores it and queues its first jobs, as a server would.</summary>
    public async Task<RunRecord> QueueAsync(string yaml)
    {
        var loaded = PipelineLoader.Load(yaml, ".cairn.yml");
        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));
        var trigger = TriggerEvent.Manual("acme/widgets", "refs/heads/main", new string('0', 40), new Dictionary<string, string>());
        var planned = RunPlanner.Plan(loaded.Pipeline!, trigger, null);
        Assert.True(planned.Plan is not null, string.Join(Environment.NewLine, planned.Errors));
        var run = await Store.CreateRunAsync(planned.Plan!, CancellationToken.None);
        await Coordinator.AdvanceAsync(run.Id, CancellationToken.None);
        return run;
    }

    /// <summary>Starts a <c>cairn worker</c> on this store with the given extra arguments.</summary>
    public CairnProcess StartWorker(params string[] args) => StartWorker(new Dictionary<string, string?>(), args);

    /// <summary>Starts a <c>cairn worker</c> with extra environment variables (DOCKER_HOST, say).</summary>
    public CairnProcess StartWorker(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var worker = CairnProcess.Start(
            Directory.Path,
            env,
            // Steps write their marks into this test's own (private) folder: as root, they run as root rather than as an
            // unprivileged user, which these tests of crashes and drains are not about.
            ["worker", "--store", _kind, "--connection", _connection, "--workspace-root", Directory.Combine("workspaces"), "--job-user", "root", .. args]);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Waits until every run has ended, or fails the test after <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(IReadOnlyList<long> runIds, TimeSpan limit) =>
        Eventually.ValueAsync<IReadOnlyList<RunRecord>>(
            async () =>
            {
                var runs = new List<RunRecord>();
                foreach (var id in runIds)
                {
                    runs.Add((await Store.GetRunAsync(id, CancellationToken.None))!);
                }

                return runs;
            },
            runs => runs.All(r => r.Status != RunStatus.Running),
            $"all {runIds.Count} runs to end",
            limit,
            runs => $"{runs.Count(r => r.Status == RunStatus.Running)} of {runs.Count} runs still running");

    /// <summary>Kills a worker the hard way: no signal handler runs, nothing is cleaned up by the worker itself.</summary>
    public async Task KillAsync(CairnProcess worker)
    {
        await worker.SignalAsync("KILL");
        _killed.Add(worker);
    }

    /// <summary>Asks each worker not killed to stop (SIGTERM) and checks that it leaves cleanly.</summary>
    public async Task StopAllAsync()
    {
        var live = _workers.Where(w => !_killed.Contains(w)).ToList();
        foreach (var worker in live)
        {
            await worker.SignalAsync("TERM");
        }

        foreach (var worker in live)
        {
            var result = await worker.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Store.DisposeAsync();
        Directory.Dispose();
    }
}
