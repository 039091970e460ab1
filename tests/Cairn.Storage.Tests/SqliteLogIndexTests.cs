using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>On SQLite appended lines wait (their chunks, in log_unindexed_chunks) and are indexed a moment later, many at a time; a search
/// indexes what still waits first, and retention removes waiting lines too.</summary>
public sealed class SqliteLogIndexTests
{
    private const string WaitingLines = """
        SELECT coalesce(sum(c.last_seq - c.first_seq + 1), 0) FROM log_unindexed_chunks AS u JOIN log_chunks AS c USING (job_id, first_seq)
        """;

    [Fact]
    public async Task AppendedLines_WaitToBeIndexed_AndAreIndexedAMomentLater()
    {
        await using var scope = await OpenSqliteAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        await scope.Store.AppendLogAsync(jobId, Lines(scope, 1, 1_200, i => $"line {i} of the build"), Token);

        Assert.Equal(1_200, scope.Scalar(WaitingLines));
        // The indexer waits for the clock from when it wakes, which may be after any one move of it: move it at every look.
        await Eventually.TrueAsync(
            () =>
            {
                scope.Time.Advance(SqliteRunStore.LogIndexDelay);
                return scope.Scalar(WaitingLines) == 0;
            },
            "the waiting lines to be indexed",
            cancellationToken: Token);
        Assert.Equal(1_200, scope.Scalar("SELECT sum(last_seq - first_seq + 1) FROM log_blocks"));
        Assert.Equal(scope.Scalar("SELECT count(*) FROM log_blocks"), scope.Scalar("SELECT count(*) FROM log_text"));
        Assert.Single((await scope.Store.SearchLogsAsync(new LogSearchQuery("line 1199 of"), Token)).Matches);
    }

    [Fact]
    public async Task A_search_finds_lines_that_still_wait_to_be_indexed()
    {
        await using var scope = await OpenSqliteAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        await scope.Store.AppendLogAsync(jobId, Lines(scope, 1, 3, i => $"attempt {i}: connection refused"), Token);

        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery("connection refused"), Token)).Matches.Single();

        Assert.Equal((1L, 3L), (match.Sequence, match.MatchingLines));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_unindexed_chunks"));
    }

    [Fact]
    public async Task Retention_removes_lines_whether_or_not_they_were_indexed()
    {
        await using var scope = await OpenSqliteAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        await scope.Store.AppendLogAsync(job.Id, Lines(scope, 1, 2, i => $"indexed line {i}"), Token);
        Assert.Equal(2, await ((CairnStore)scope.Store).CatchUpLogIndexAsync(Token));
        await scope.Store.AppendLogAsync(job.Id, Lines(scope, 3, 2, i => $"waiting line {i}"), Token);
        Assert.True(await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Cancelled, JobTransition.Now(scope.Time), Token));
        Assert.True(await scope.Store.TryTransitionRunAsync(run.Id, RunStatus.Running, RunStatus.Cancelled, scope.Time.GetUtcNow(), Token));
        await scope.CreateRunAsync(Job("newest"));

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddSeconds(1), 10, Token));

        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_unindexed_chunks"));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM log_text"));
        Assert.Empty((await scope.Store.SearchLogsAsync(new LogSearchQuery(" line "), Token)).Matches);
    }

    private static List<StoredLogLine> Lines(StoreScope scope, long first, int count, Func<long, string> text) =>
        [.. Enumerable.Range(0, count).Select(i => new StoredLogLine(first + i, 0, LogStream.Stdout, scope.Time.GetUtcNow(), text(first + i)))];
}
