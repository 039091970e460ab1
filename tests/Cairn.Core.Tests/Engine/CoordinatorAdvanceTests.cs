using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Storage;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Npgsql;

namespace Cairn.Core.Tests.Engine;

/// <summary>The coordinator after each completion, on a real store, with the jobs leased and ended by hand so that the order
/// of ends is the test's: a completion looks only at the jobs that need the one that ended, and two coordinators of one
/// store (two processes) still release every job once and end the run.</summary>
public sealed class CoordinatorAdvanceTests
{
    private const string FanIn = """
        jobs:
          a: { steps: [{ run: a }] }
          b: { steps: [{ run: b }] }
          c: { steps: [{ run: c }] }
          d: { needs: [a, b, c], steps: [{ run: d }] }
          e: { needs: [a, b, c], steps: [{ run: e }] }
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NeedsAll_ReleasesEachDependent_OnlyWhenItsLastNeedEnds()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(FanIn), Token);
        Assert.Equal("a b c: queued, d e: waiting", await StatusesAsync(engine.Store, run.Id));
        var leases = await LeaseAllAsync(engine.Store);

        await EndAsync(engine.Store, coordinator, leases["b"], JobStatus.Succeeded);
        await EndAsync(engine.Store, coordinator, leases["a"], JobStatus.Succeeded);
        Assert.Equal("a b: succeeded, c: running, d e: waiting", await StatusesAsync(engine.Store, run.Id));
        await EndAsync(engine.Store, coordinator, leases["c"], JobStatus.Succeeded);
        Assert.Equal("a b c: succeeded, d e: queued", await StatusesAsync(engine.Store, run.Id));

        leases = await LeaseAllAsync(engine.Store);
        await EndAsync(engine.Store, coordinator, leases["d"], JobStatus.Succeeded);
        Assert.Equal(RunStatus.Running, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
        await EndAsync(engine.Store, coordinator, leases["e"], JobStatus.Failed);

        Assert.Equal(RunStatus.Failed, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
    }

    [Fact]
    public async Task AFailure_SkipsWhatNeedsIt_ThroughTheGraph_AndConditionsDecideTheRest()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(
            EngineHarness.Plan("""
                jobs:
                  build: { steps: [{ run: make }] }
                  lint: { steps: [{ run: lint }] }
                  test: { needs: [build], steps: [{ run: test }] }
                  deploy: { needs: [test, lint], steps: [{ run: deploy }] }
                  notify: { needs: [deploy], if: "${{ failure() }}", steps: [{ run: notify }] }
                  celebrate: { needs: [deploy], if: "success()", steps: [{ run: party }] }
                  report: { needs: [lint], if: "${{ always() }}", steps: [{ run: report }] }
                """),
            Token);
        var leases = await LeaseAllAsync(engine.Store);

        await EndAsync(engine.Store, coordinator, leases["build"], JobStatus.Failed);
        Assert.Equal(
            "build: failed, celebrate deploy notify report: waiting, lint: running, test: skipped",
            await StatusesAsync(engine.Store, run.Id));
        await EndAsync(engine.Store, coordinator, leases["lint"], JobStatus.Succeeded);

        Assert.Equal(
            "build: failed, celebrate deploy test: skipped, lint: succeeded, notify report: queued",
            await StatusesAsync(engine.Store, run.Id));
        var jobs = (await engine.Store.GetJobsAsync(run.Id, Token)).ToDictionary(j => j.Name);
        Assert.Equal(("'build' failed", "'test' skipped", "'deploy' skipped"), (jobs["test"].FailureDetail, jobs["deploy"].FailureDetail, jobs["celebrate"].FailureDetail));
    }

    [Fact]
    public async Task TwoCoordinators_OfOneStore_EachSeeingOnlyItsOwnEnds_ReleaseEveryJobOnce_AndEndTheRun()
    {
        using var directory = new TempDirectory();
        var options = new SqliteStoreOptions { Path = directory.Combine("two.db") };
        await using var first = await SqliteRunStore.OpenAsync(options, TimeProvider.System, Token);
        await using var second = await SqliteRunStore.OpenAsync(options, TimeProvider.System, Token);

        await RaceAsync(first, second);
    }

    [PostgresFact]
    public async Task TwoCoordinators_OnPostgres_EachSeeingOnlyItsOwnEnds_ReleaseEveryJobOnce_AndEndTheRun()
    {
        var name = $"cairn_test_{Guid.NewGuid():N}";
        await AdministerAsync($"CREATE DATABASE {name}");
        try
        {
            var options = new PostgresStoreOptions { ConnectionString = new NpgsqlConnectionStringBuilder(Engines.Postgres) { Database = name }.ConnectionString };
            await using var first = await PostgresRunStore.OpenAsync(options, TimeProvider.System, Token);
            await using var second = await PostgresRunStore.OpenAsync(options, TimeProvider.System, Token);

            await RaceAsync(first, second);
        }
        finally
        {
            await AdministerAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task TwoCoordinators_AdvancingTwoEndsAtOnce_QueueTheJobThatNeedsBoth_Once()
    {
        using var directory = new TempDirectory();
        var options = new SqliteStoreOptions { Path = directory.Combine("race.db") };
        await using var first = await SqliteRunStore.OpenAsync(options, TimeProvider.System, Token);
        await using var second = await SqliteRunStore.OpenAsync(options, TimeProvider.System, Token);

        for (var round = 0; round < 20; round++)
        {
            var one = new RunCoordinator(first, TimeProvider.System);
            var two = new RunCoordinator(second, TimeProvider.System);
            var run = await one.StartRunAsync(EngineHarness.Plan(FanIn), Token);
            await two.AdvanceAsync(run.Id, Token);
            var leases = await LeaseAllAsync(first);
            await EndAsync(first, one, leases["a"], JobStatus.Succeeded);
            await first.CompleteAsync(leases["b"], Completion(JobStatus.Succeeded), Token);
            await second.CompleteAsync(leases["c"], Completion(JobStatus.Succeeded), Token);

            await Task.WhenAll(
                Task.Run(() => one.AdvanceAsync(run.Id, leases["b"].JobId, Token), Token),
                Task.Run(() => two.AdvanceAsync(run.Id, leases["c"].JobId, Token), Token));

            Assert.Equal("a b c: succeeded, d e: queued", await StatusesAsync(first, run.Id));
            var queuedChanges = (await first.ReadChangesAsync(0, run.Id, 1000, Token)).Count(c => c.JobId is not null && c.Status == JobStatus.Queued);
            Assert.Equal(5, queuedChanges);
        }
    }

    [Fact]
    public async Task ACancelledRun_QueuesNothingMore_WhenItsLastRunningJobEnds()
    {
        await using var engine = await EngineHarness.CreateAsync();
        var coordinator = new RunCoordinator(engine.Store, TimeProvider.System);
        var run = await coordinator.StartRunAsync(EngineHarness.Plan(FanIn), Token);
        var leases = await LeaseAllAsync(engine.Store);
        await EndAsync(engine.Store, coordinator, leases["a"], JobStatus.Succeeded);
        await EndAsync(engine.Store, coordinator, leases["b"], JobStatus.Succeeded);
        Assert.True(await engine.Store.RequestCancelAsync(run.Id, "stop", DateTimeOffset.UtcNow, Token));

        await EndAsync(engine.Store, coordinator, leases["c"], JobStatus.Succeeded);

        Assert.Equal("a b c: succeeded, d e: cancelled", await StatusesAsync(engine.Store, run.Id));
        Assert.Equal(RunStatus.Cancelled, (await engine.Store.GetRunAsync(run.Id, Token))!.Status);
    }

    /// <summary>A chain and a fan-in spread over two coordinators: each job is ended where the test says, so each coordinator
    /// has seen only some of the ends when it judges a job or the run.</summary>
    private static async Task RaceAsync(ICairnStore firstStore, ICairnStore secondStore)
    {
        var first = new RunCoordinator(firstStore, TimeProvider.System);
        var second = new RunCoordinator(secondStore, TimeProvider.System);
        var run = await first.StartRunAsync(EngineHarness.Plan(FanIn), Token);
        await second.AdvanceAsync(run.Id, Token);
        var leases = await LeaseAllAsync(firstStore);

        // a ends in the first, b and c in the second: the second never saw a end, yet releases d and e.
        await EndAsync(firstStore, first, leases["a"], JobStatus.Succeeded);
        await EndAsync(secondStore, second, leases["b"], JobStatus.Succeeded);
        Assert.Equal("a b: succeeded, c: running, d e: waiting", await StatusesAsync(firstStore, run.Id));
        await EndAsync(secondStore, second, leases["c"], JobStatus.Succeeded);
        Assert.Equal("a b c: succeeded, d e: queued", await StatusesAsync(firstStore, run.Id));

        // d ends in the second, e last in the first, which saw neither b, c nor d end: it ends the run.
        leases = await LeaseAllAsync(secondStore);
        await EndAsync(secondStore, second, leases["d"], JobStatus.Succeeded);
        Assert.Equal(RunStatus.Running, (await firstStore.GetRunAsync(run.Id, Token))!.Status);
        await EndAsync(firstStore, first, leases["e"], JobStatus.Succeeded);

        Assert.Equal(RunStatus.Succeeded, (await firstStore.GetRunAsync(run.Id, Token))!.Status);
    }

    private static async Task<Dictionary<string, JobLease>> LeaseAllAsync(IJobQueue queue)
    {
        var leases = new Dictionary<string, JobLease>(StringComparer.Ordinal);
        while (await queue.TryLeaseAsync("worker-1", [], Token) is { } lease)
        {
            leases[lease.Job.Name] = lease;
        }

        return leases;
    }

    private static async Task EndAsync(IJobQueue queue, RunCoordinator coordinator, JobLease lease, JobStatus status)
    {
        Assert.True(await queue.CompleteAsync(lease, Completion(status), Token));
        await coordinator.AdvanceAsync(lease.RunId, lease.JobId, Token);
    }

    private static JobCompletion Completion(JobStatus status)
    {
        var now = DateTimeOffset.UtcNow;
        return status == JobStatus.Failed
            ? new JobCompletion(status, 1, FailureClass.Script, "exit 1", now, now)
            : new JobCompletion(status, 0, null, null, now, now);
    }

    /// <summary>The run's jobs grouped by status, as "a b: succeeded, c: running", groups and names in order.</summary>
    private static async Task<string> StatusesAsync(IRunStore store, long runId)
    {
        var jobs = await store.GetJobsAsync(runId, Token);
        return string.Join(", ", jobs
            .GroupBy(j => j.Status)
            .Select(g => (Names: string.Join(' ', g.Select(j => j.Name).Order(StringComparer.Ordinal)), Status: g.Key.ToWire()))
            .OrderBy(g => g.Names, StringComparer.Ordinal)
            .Select(g => $"{g.Names}: {g.Status}"));
    }

    private static async Task AdministerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Engines.Postgres) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Token);
    }
}
