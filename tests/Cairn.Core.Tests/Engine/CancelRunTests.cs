using Cairn.Core.Engine;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Executors.Fake;
using Cairn.Executors.Shell;
using Cairn.Storage;
using Cairn.Storage.Postgres;
using Npgsql;

namespace Cairn.Core.Tests.Engine;

/// <summary>Cancelling a run from wherever the request comes: the coordinator that asks need not be the worker's, nor in its
/// process. The workers' heartbeat is an hour here, so only the cancel signal can stop a running job in time.</summary>
public sealed class CancelRunTests
{
    private const string Yaml = """
        jobs:
          slow:
            steps:
              - run: |
                  sleep 600 &
                  echo $! > "$CAIRN_WORKSPACE/sleep.pid"
                  wait
          after: { needs: [slow], steps: [{ run: echo after }] }
          elsewhere: { steps: [{ run: echo never }] }
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CancelRun_StopsTheRunningJob_CancelsTheWaitingAndQueuedOnes_AndEndsTheRunCancelled()
    {
        await using var engine = await EngineHarness.CreateAsync();

        await CancelWhileRunningAsync(engine.Store, engine.Store, engine.Workspace);
    }

    [PostgresFact]
    public async Task CancelRun_FromAnotherProcess_ReachesTheWorkerAtOnce()
    {
        using var directory = new TempDirectory();
        var workspace = directory.Combine("workspace");
        Directory.CreateDirectory(workspace);
        var name = $"cairn_test_{Guid.NewGuid():N}";
        await AdministerAsync($"CREATE DATABASE {name}");
        try
        {
            var options = new PostgresStoreOptions { ConnectionString = new NpgsqlConnectionStringBuilder(Engines.Postgres) { Database = name }.ConnectionString };
            await using var workers = await PostgresRunStore.OpenAsync(options, TimeProvider.System, Token);
            await using var server = await PostgresRunStore.OpenAsync(options, TimeProvider.System, Token);

            await CancelWhileRunningAsync(workers, server, workspace);
        }
        finally
        {
            await AdministerAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task RunWhoseJobsAreAllReused_EndsSucceeded_AsItStarts()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor();
        var plan = EngineHarness.Plan("jobs:\n  build: { steps: [{ run: make }] }\n  test: { needs: [build], steps: [{ run: make test }] }\n");
        var reused = plan with { Jobs = [.. plan.Jobs.Select((j, i) => j with { ReusedFrom = 100 + i })], RerunOf = 7 };

        var run = await new InProcessRunHost(Services(engine.Store, engine.Store, executor, engine.Workspace), 1).ExecuteAsync(reused, Token);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(0, executor.RunCount);
        var jobs = await engine.Store.GetJobsAsync(run.Id, Token);
        Assert.All(jobs, j => Assert.Equal((JobStatus.Succeeded, "reused from run 7"), (j.Status, j.FailureDetail)));
        Assert.Equal(RunStatus.Succeeded, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
    }

    [Fact]
    public async Task Rerun_RunsOnlyTheJobsItDoesNotReuse_AfterTheReusedNeeds()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var executor = new FakeExecutor();
        var plan = EngineHarness.Plan("""
            jobs:
              build: { steps: [{ run: make }] }
              test: { needs: [build], steps: [{ run: make test }] }
              lint: { steps: [{ run: make lint }] }
              deploy: { needs: [test, lint], steps: [{ run: make deploy }] }
            """);
        var rerun = plan with { Jobs = [.. plan.Jobs.Select(j => j.Name is "build" or "lint" ? j with { ReusedFrom = 1 } : j)], RerunOf = 3 };

        var run = await new InProcessRunHost(Services(engine.Store, engine.Store, executor, engine.Workspace), 2).ExecuteAsync(rerun, Token);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, executor.RunCount);
        var jobs = (await engine.Store.GetJobsAsync(run.Id, Token)).ToDictionary(j => j.Name);
        Assert.Equal((0, 1, 0, 1), (jobs["build"].Attempt, jobs["test"].Attempt, jobs["lint"].Attempt, jobs["deploy"].Attempt));
        Assert.All(jobs.Values, j => Assert.Equal(JobStatus.Succeeded, j.Status));
    }

    private static async Task CancelWhileRunningAsync(ICairnStore workerStore, ICairnStore cancellingStore, string workspace)
    {
        var planned = EngineHarness.Plan(Yaml);

        // No worker here offers 'gpu', so that job stays queued.
        var plan = planned with { Jobs = [.. planned.Jobs.Select(j => j.Name == "elsewhere" ? j with { Labels = ["gpu"] } : j)] };
        var services = Services(workerStore, workerStore, new ShellExecutor(new ShellExecutorOptions(), TimeProvider.System), workspace);
        var run = await new RunCoordinator(workerStore, TimeProvider.System).StartRunAsync(plan, Token);
        using var stopping = new CancellationTokenSource();
        using var aborting = new CancellationTokenSource();
        var worker = new JobWorker(services, new WorkerOptions("worker-1", []) { Heartbeat = TimeSpan.FromHours(1) })
            .RunAsync(stopping.Token, aborting.Token);
        try
        {
            var pidFile = Path.Combine(workspace, "sleep.pid");
            var sleeper = await WaitForAsync("the sleeping step's pid", () => File.Exists(pidFile) && File.ReadAllText(pidFile).Trim() is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : (int?)null);
            Assert.True(IsRunning(sleeper));

            Assert.True(await new RunCoordinator(cancellingStore, TimeProvider.System).CancelRunAsync(run.Id, "cancelled by alice", Token));

            var ended = await WaitForAsync("the run to end", async () => await cancellingStore.GetRunAsync(run.Id, Token) is { Status: not RunStatus.Running } r ? r : null);
            Assert.Equal((RunStatus.Cancelled, true, "cancelled by alice"), (ended.Status, ended.CancelRequested, ended.CancelReason));
            var jobs = (await cancellingStore.GetJobsAsync(run.Id, Token)).ToDictionary(j => j.Name);
            Assert.Equal(
                (JobStatus.Cancelled, FailureClass.Cancelled, "cancelled by alice", 1),
                (jobs["slow"].Status, jobs["slow"].FailureClass, jobs["slow"].FailureDetail, jobs["slow"].Attempt));
            Assert.Equal((JobStatus.Cancelled, FailureClass.Cancelled, "cancelled by alice"), (jobs["after"].Status, jobs["after"].FailureClass, jobs["after"].FailureDetail));
            Assert.Equal((JobStatus.Cancelled, "cancelled by alice", 0), (jobs["elsewhere"].Status, jobs["elsewhere"].FailureDetail, jobs["elsewhere"].Attempt));
            Assert.False(IsRunning(sleeper));
            Assert.False(await new RunCoordinator(cancellingStore, TimeProvider.System).CancelRunAsync(run.Id, "again", Token));
        }
        finally
        {
            // Should the cancel not have reached the job, the test fails rather than waiting out the sleep.
            await stopping.CancelAsync();
            await aborting.CancelAsync();
            await worker;
        }
    }

    private static JobWorkerContext Services(ICairnStore queue, IRunStore store, Execution.IExecutor executor, string workspace) => new(
        queue,
        store,
        new RunCoordinator(store, TimeProvider.System),
        new SingleExecutorResolver(executor),
        new FixedWorkspaceProvider(workspace),
        InMemorySecretSource.Empty,
        NullRunObserver.Instance,
        new RetryPolicy(),
        TimeProvider.System);

    /// <summary>Alive and not a zombie: a zombie is gone, only not yet reaped where PID 1 does not reap.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Polls until <paramref name="probe"/> gives a value; a minute is only a guard against hanging.</summary>
    private static async Task<T> WaitForAsync<T>(string what, Func<Task<T?>> probe)
        where T : class =>
        (await Eventually.ValueAsync<T?>(probe, value => value is not null, what, TimeSpan.FromMinutes(1), cancellationToken: Token))!;

    private static async Task<int> WaitForAsync(string what, Func<int?> probe) =>
        (await Eventually.ValueAsync(probe, value => value is not null, what, TimeSpan.FromMinutes(1), cancellationToken: Token))!.Value;

    private static async Task AdministerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Engines.Postgres) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Token);
    }
}
