using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Workers of one SQLite process that complete and claim at the same moment share one write transaction; a
/// request that fails in it fails alone, and the others' completions and claims are committed.</summary>
public sealed class SqliteSharedTurnTests
{
    private static readonly string[] AnyLabels = [];

    [Fact]
    public async Task ARequestThatFails_InASharedTurn_FailsAlone_AndTheOthersAreCommitted()
    {
        await using var scope = await OpenSqliteAsync();
        var queued = await scope.QueueJobsAsync(4);
        var one = await scope.Store.TryLeaseAsync("worker-1", AnyLabels, Token);
        var two = await scope.Store.TryLeaseAsync("worker-2", AnyLabels, Token);

        // The file refuses worker-1's completion (as it might refuse any statement: a constraint, a full disk).
        scope.Scalar($"""
            CREATE TRIGGER refuse_one BEFORE UPDATE OF status ON jobs WHEN NEW.id = {one!.JobId} AND NEW.status = 'succeeded'
            BEGIN SELECT RAISE(ABORT, 'refused'); END;
            SELECT 1;
            """);

        // Both ask while the turn is held, so that whoever takes it next serves both in one transaction.
        var store = Assert.IsType<SqliteRunStore>(scope.Store);
        Task<(bool Completed, JobLease? Next)> failing, passing;
        using (await store.Database.TakeWriteTurnAsync(Token))
        {
            failing = scope.Store.CompleteAndLeaseAsync(one, Success(scope), "worker-1", AnyLabels, Token);
            passing = scope.Store.CompleteAndLeaseAsync(two!, Success(scope), "worker-2", AnyLabels, Token);
            Assert.False(failing.IsCompleted);
            Assert.False(passing.IsCompleted);
        }

        await Assert.ThrowsAsync<SqliteException>(() => failing.WaitAsync(TimeSpan.FromSeconds(30), Token));
        var (completed, next) = await passing.WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.True(completed);
        Assert.Equal(JobStatus.Succeeded, (await scope.Store.GetJobAsync(two!.JobId, Token))!.Status);
        Assert.Equal((queued[2], "worker-2"), (next!.JobId, next.WorkerId));

        // Nothing of worker-1's request was written: its job still runs under its lease, and it claimed nothing.
        Assert.Equal(JobStatus.Running, (await scope.Store.GetJobAsync(one.JobId, Token))!.Status);
        Assert.Equal(LeaseState.Held, await scope.Store.ExtendAsync(one, Token));
        Assert.Equal(JobStatus.Queued, (await scope.Store.GetJobAsync(queued[3], Token))!.Status);
        Assert.Equal(2, scope.Scalar("SELECT count(*) FROM jobs WHERE status = 'running'"));
    }

    private static JobCompletion Success(StoreScope scope) =>
        new(JobStatus.Succeeded, 0, null, null, scope.Time.GetUtcNow(), scope.Time.GetUtcNow());
}
