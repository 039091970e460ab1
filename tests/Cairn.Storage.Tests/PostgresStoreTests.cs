using Cairn.Core.Runs;
using Cairn.Storage.Postgres;
using Npgsql;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What only the PostgreSQL store has: replicas migrating together, and wake-ups that cross processes.</summary>
public sealed class PostgresStoreTests(PostgresTestDatabase shared) : IClassFixture<PostgresTestDatabase>
{
    [PostgresFact]
    public async Task Open_ByConcurrentReplicasOnAFreshDatabase_AllStart_AndTheSchemaIsAppliedOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var options = new PostgresStoreOptions { ConnectionString = database.ConnectionString! };

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => PostgresRunStore.OpenAsync(options, new ManualTimeProvider(), Token), Token)));

        try
        {
            Assert.All(await Task.WhenAll(stores.Select(s => s.GetRunAsync(1, Token))), Assert.Null);
            await using var scope = await OpenPostgresAsync(database.ConnectionString!);
            Assert.Equal(PostgresMigrations.All.Count, scope.Scalar("SELECT count(*) FROM schema_migrations"));
            Assert.Equal(PostgresMigrations.Latest, scope.Scalar("SELECT max(version) FROM schema_migrations"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [PostgresFact]
    public async Task Open_RefusesADatabaseFromANewerCairn()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var scope = await OpenPostgresAsync(database.ConnectionString!);
        scope.Query("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");

        var error = await Assert.ThrowsAsync<StoreSchemaException>(scope.OpenAnotherAsync);

        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        Assert.Equal(
            $"the database at {settings.Host}:{settings.Port}/{settings.Database} has schema version 999, "
            + $"newer than this cairn understands ({PostgresMigrations.Latest}); upgrade cairn",
            error.Message);
    }

    [PostgresFact]
    public async Task Migrate_AppliesOnlyNewerMigrations_EachWhollyOrNotAtAll()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(Token);
        var time = new ManualTimeProvider();
        Migration[] first = [new(1, "one table", "CREATE TABLE a (x int);")];
        Migration[] broken = [.. first, new(2, "fails half way", "CREATE TABLE b (x int); INSERT INTO nowhere VALUES (1);")];
        Migration[] fixedUp = [.. first, new(2, "another table", "CREATE TABLE b (x int);")];

        await PostgresSchema.MigrateAsync(connection, "test", first, time, Token);
        await Assert.ThrowsAsync<PostgresException>(() => PostgresSchema.MigrateAsync(connection, "test", broken, time, Token));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT max(version) FROM schema_migrations"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"));

        await PostgresSchema.MigrateAsync(connection, "test", fixedUp, time, Token);
        Assert.Equal(2, await ScalarAsync(connection, "SELECT max(version) FROM schema_migrations"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"));
    }

    [PostgresTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WaitForWork_Wakes_WhenAnotherInstanceQueuesAJob(bool byRetry)
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, Job("build")), Token);
        var jobId = (await other.GetJobsAsync(run.Id, Token))[0].Id;
        var lease = default(JobLease);
        if (byRetry)
        {
            await QueueAsync(other, jobId, scope.Time);
            lease = await other.TryLeaseAsync("worker-1", [], Token);
        }

        await DrainAsync(scope.Store);
        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(wait.IsCompleted);
        if (byRetry)
        {
            var now = scope.Time.GetUtcNow();
            Assert.True(await other.CompleteAsync(lease!, new JobCompletion(JobStatus.Failed, 1, FailureClass.Infra, null, now, now, now), Token));
        }
        else
        {
            await QueueAsync(other, jobId, scope.Time);
        }

        // The clock never moves, so only a notification can end the wait.
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [PostgresFact]
    public async Task WaitForWork_WakesAWorkerPerJob_WhenAnotherInstanceQueuesABurst()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, [.. Enumerable.Range(1, 5).Select(i => Job($"job-{i}"))]), Token);
        await DrainAsync(scope.Store);
        var waits = Enumerable.Range(0, 5).Select(_ => scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token)).ToList();

        foreach (var job in await other.GetJobsAsync(run.Id, Token))
        {
            await QueueAsync(other, job.Id, scope.Time);
        }

        await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [PostgresFact]
    public async Task WaitForWork_Wakes_WhenAnotherInstanceQueuesManyJobsInOneCall()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, Job("a"), Job("b")), Token);
        var jobs = await other.GetJobsAsync(run.Id, Token);
        await DrainAsync(scope.Store);
        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(wait.IsCompleted);

        Assert.Equal(2, (await other.QueueJobsAsync(run.Id, [.. jobs.Select(j => j.Id)], JobTransition.Now(scope.Time), Token)).Count);

        // The clock never moves, so only the notification can end the wait.
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.NotNull(await scope.Store.TryLeaseAsync("worker-1", [], Token));
    }

    [PostgresFact]
    public async Task Listener_Reconnects_AfterItsConnectionIsKilled()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var database = new NpgsqlConnectionStringBuilder(shared.ConnectionString).Database;
        var listeners = $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND application_name = 'cairn listener'";
        Assert.Equal(2, scope.Scalar(listeners));

        scope.Query($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' AND application_name = 'cairn listener'");
        await WaitUntilAsync(() => scope.Scalar(listeners) == 2, "both listeners to reconnect");
        await DrainAsync(scope.Store);

        var run = await other.CreateRunAsync(Plan(null, Job("build")), Token);
        var wait = scope.Store.WaitForWorkAsync(TimeSpan.FromMinutes(1), Token);
        Assert.False(wait.IsCompleted);
        await QueueAsync(other, (await other.GetJobsAsync(run.Id, Token))[0].Id, scope.Time);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [PostgresFact]
    public async Task WaitForChanges_Wakes_WhenAnotherInstanceChangesAStatus()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, Job("build")), Token);
        var last = (await scope.Store.ReadChangesAsync(0, null, 100, Token))[^1].Id;
        var wait = scope.Store.WaitForChangesAsync(last, TimeSpan.FromMinutes(1), Token);
        await Task.Delay(100, Token);
        Assert.False(wait.IsCompleted);

        await QueueAsync(other, (await other.GetJobsAsync(run.Id, Token))[0].Id, scope.Time);

        // The clock never moves, so only a notification can end the wait.
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal("queued", Assert.Single(await scope.Store.ReadChangesAsync(last, null, 100, Token)).Status);
    }

    [PostgresFact]
    public async Task WaitForLog_Wakes_WhenAnotherInstanceAppendsLinesToTheJob_AndNotForAnotherJob()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, Job("build"), Job("test")), Token);
        var jobs = await other.GetJobsAsync(run.Id, Token);
        var wait = scope.Store.WaitForLogAsync(jobs[0].Id, 0, TimeSpan.FromMinutes(1), Token);
        var otherJob = scope.Store.WaitForLogAsync(jobs[1].Id, 0, TimeSpan.FromMinutes(1), Token);
        await Task.Delay(100, Token);
        Assert.False(wait.IsCompleted);

        await other.AppendLogAsync(jobs[0].Id, [new StoredLogLine(1, 0, Core.Logs.LogStream.Stdout, scope.Time.GetUtcNow(), "compiling")], Token);

        // The clock never moves, so only a notification can end the wait.
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(otherJob.IsCompleted);
        Assert.Equal("compiling", Assert.Single(await scope.Store.ReadLogAsync(jobs[0].Id, 0, 10, Token)).Text);
    }

    [PostgresFact]
    public async Task WaitForCancelRequest_Wakes_WhenAnotherInstanceAsksToCancelTheRun()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var other = await scope.OpenAnotherAsync();
        var run = await other.CreateRunAsync(Plan(null, Job("build")), Token);
        var wait = scope.Store.WaitForCancelRequestAsync(run.Id, TimeSpan.FromMinutes(1), Token);
        var otherRun = scope.Store.WaitForCancelRequestAsync(run.Id + 1, TimeSpan.FromMinutes(1), Token);
        await Task.Delay(100, Token);
        Assert.False(wait.IsCompleted);

        Assert.True(await other.RequestCancelAsync(run.Id, "cancelled by alice", scope.Time.GetUtcNow(), Token));

        await wait.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(otherRun.IsCompleted);
    }

    [PostgresFact]
    public async Task ChangeFeed_AChangeThatCommitsAfterALaterOne_IsReadAfterIt_NotPassedOver()
    {
        await using var scope = await OpenPostgresAsync(shared.ConnectionString!);
        var first = await scope.CreateRunAsync(Job("a"));
        var second = await scope.CreateRunAsync(Job("b"));
        var cursor = (await scope.Store.ReadChangesAsync(0, null, 100, Token))[^1].Id;
        var (a, b) = ((await scope.Store.GetJobsAsync(first.Id, Token))[0].Id, (await scope.Store.GetJobsAsync(second.Id, Token))[0].Id);

        // A transaction writes the earlier change and stays open while a later one commits and is read.
        await using var slow = new NpgsqlConnection(shared.ConnectionString);
        await slow.OpenAsync(Token);
        await using var transaction = await slow.BeginTransactionAsync(Token);
        await using (var queue = new NpgsqlCommand($"UPDATE jobs SET status = 'queued', changed_at = 1, fair_key = 1 WHERE id = {a}", slow, transaction))
        {
            await queue.ExecuteNonQueryAsync(Token);
        }

        await QueueAsync(scope.Store, b, scope.Time);
        var meanwhile = Assert.Single(await scope.Store.ReadChangesAsync(cursor, null, 100, Token));
        Assert.Equal(b, meanwhile.JobId);
        await transaction.CommitAsync(Token);

        var late = Assert.Single(await scope.Store.ReadChangesAsync(meanwhile.Id, null, 100, Token));
        Assert.Equal((a, "queued"), (late.JobId, late.Status));
        Assert.True(scope.Scalar($"SELECT id FROM run_changes WHERE job_id = {a} AND status = 'queued'")
            < scope.Scalar($"SELECT id FROM run_changes WHERE job_id = {b} AND status = 'queued'"));
    }

    [PostgresFact]
    public async Task Migrate_FromTheFirstSchema_KeepsItsRunsAndJobs_AndNumbersThem()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(connection, "test", PostgresMigrations.All.Take(1).ToList(), new ManualTimeProvider(), Token);
            foreach (var statement in FirstSchemaRows)
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync(Token);
            }
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);
        await FirstSchemaChecks.AssertKeptAsync(scope);
    }

    [PostgresFact]
    public async Task Migrate_FromSchemaFour_AsksForApprovalOfForkPullRequests_AndKeepsTheAuditLog()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(connection, "test", PostgresMigrations.All.Take(4).ToList(), new ManualTimeProvider(), Token);
            foreach (var statement in FourthSchemaChecks.Rows)
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync(Token);
            }
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);
        Assert.Equal(PostgresMigrations.Latest, scope.Scalar("SELECT max(version) FROM schema_migrations"));
        await FourthSchemaChecks.AssertKeptAsync(scope);
    }

    [PostgresFact]
    public async Task Migrate_KeyingTheJournalByRepository_KeepsEveryJournaledDeliveryADuplicateOfItsOwnRepository()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await PostgresSchema.MigrateAsync(connection, "test", JournalKeyChecks.Before(PostgresMigrations.All), new ManualTimeProvider(), Token);
            await using var command = new NpgsqlCommand(JournalKeyChecks.OldRow, connection);
            await command.ExecuteNonQueryAsync(Token);
        }

        await using var scope = await OpenPostgresAsync(database.ConnectionString!, empty: false);

        await JournalKeyChecks.AssertKeptAsync(scope);
    }

    /// <summary>Two runs of one repository and one of another, as the first schema kept them.</summary>
    private static readonly string[] FirstSchemaRows =
    [
        """
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, finished_at, idempotency_key, inputs) VALUES
            ('build', 'push', 'refs/heads/main', 'aaa', 'acme/widgets', 'succeeded', 1000, 5000, 'delivery-1', '{}'),
            ('build', 'manual', 'refs/heads/dev', 'bbb', 'acme/gadgets', 'running', 2000, NULL, NULL, '{"level":"2"}'),
            ('build', 'push', 'refs/heads/main', 'ccc', 'acme/widgets', 'running', 3000, NULL, NULL, '{}');
        """,
        """
        INSERT INTO jobs (run_id, ordinal, name, key, needs, labels, status, attempt, started_at, finished_at, definition) VALUES
            (1, 0, 'build', 'build', '{}', '{}', 'succeeded', 1, 1500, 4000, '{}'),
            (3, 0, 'build', 'build', '{}', '{}', 'queued', 0, NULL, NULL, '{}'),
            (3, 1, 'test', 'test', '{build}', '{}', 'waiting', 0, NULL, NULL, '{}');
        """,
    ];

    private static async Task QueueAsync(ICairnStore store, long jobId, TimeProvider time) =>
        Assert.True(await store.TryTransitionJobAsync(jobId, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(time), Token));

    /// <summary>Takes every wake-up already pending, so that the next wait can only end on a new one.</summary>
    private static async Task DrainAsync(ICairnStore store)
    {
        await Task.Delay(200, Token);
        while (true)
        {
            using var giveUp = new CancellationTokenSource();
            var wait = store.WaitForWorkAsync(TimeSpan.FromMinutes(1), giveUp.Token);
            if (!wait.IsCompleted)
            {
                // A wait left pending would take the very wake-up the test is about.
                await giveUp.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
                return;
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        await Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(5), Token);
        Assert.True(condition());
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Token);
    }
}
