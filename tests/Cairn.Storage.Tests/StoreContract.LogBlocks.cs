using Cairn.Core.Logs;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The index of log text holds blocks of a job's consecutive lines; a search still answers line by line.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task SearchLogs_FindsTextInTheMiddleOfALineDeepInABlock_WithItsOwnSequence()
    {
        await using var scope = await OpenAsync();
        var lines = Enumerable.Range(1, 64).Select(i => $"[{i:D3}] compiling module {i % 7} of the widget library").ToArray();
        lines[39] = "[040] compiling module 5 of the widget lib; warning: deprecated gizmo API used here; of the widget library";
        var run = await RunWithLogAsync(scope, "acme/widgets", lines);
        var jobId = (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id;

        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery("Deprecated Gizmo"), Token)).Matches.Single();

        Assert.Equal((40L, 1L), (match.Sequence, match.MatchingLines));
        Assert.Equal(lines[39], match.Text);
        Assert.Equal(64, (await scope.Store.SearchLogsAsync(new LogSearchQuery("of the widget"), Token)).Matches.Single().MatchingLines);
        // Line 40 shares its block with lines before it: the index holds blocks, not lines.
        Assert.True(scope.Scalar($"SELECT first_seq FROM log_blocks WHERE job_id = {jobId} AND 40 BETWEEN first_seq AND last_seq") < 40);
    }

    [Fact]
    public async Task SearchLogs_DoesNotFindTextRunningAcrossALineBreakInABlock()
    {
        await using var scope = await OpenAsync();
        await RunWithLogAsync(scope, "acme/widgets", "dialing the database", "attempt 3: connection", "refused by peer", "giving up");

        foreach (var text in new[] { "connection refused", "connection\nrefused", "connectionrefused", "tion\nref" })
        {
            Assert.True((await scope.Store.SearchLogsAsync(new LogSearchQuery(text), Token)).Matches.Count == 0, $"'{text}' was found");
        }

        Assert.Equal(3L, (await scope.Store.SearchLogsAsync(new LogSearchQuery("refused by"), Token)).Matches.Single().Sequence);
    }

    [Fact]
    public async Task SearchLogs_FindsTheLinesOfAJobAppendedOneAtATime()
    {
        await using var scope = await OpenAsync();
        var run = await RunWithLogAsync(scope, "acme/widgets");
        var jobId = (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id;
        for (var seq = 1; seq <= 100; seq++)
        {
            await scope.Store.AppendLogAsync(jobId, [Line(scope, seq, seq == 77 ? "panic: index out of range" : $"test {seq} passed")], Token);
        }

        var panic = (await scope.Store.SearchLogsAsync(new LogSearchQuery("index out of"), Token)).Matches.Single();
        var passed = (await scope.Store.SearchLogsAsync(new LogSearchQuery("passed"), Token)).Matches.Single();

        Assert.Equal((77L, 1L), (panic.Sequence, panic.MatchingLines));
        Assert.Equal((1L, 99L), (passed.Sequence, passed.MatchingLines));
        Assert.Equal(100, scope.Scalar($"SELECT sum(last_seq - first_seq + 1) FROM log_blocks WHERE job_id = {jobId}"));
    }

    [Fact]
    public async Task Retention_TakesTheBlocksOfTheJobsItRemoves()
    {
        await using var scope = await OpenAsync();
        var old = await RunWithLogAsync(scope, "acme/widgets", "out of memory", "killed");
        var oldJob = (await scope.Store.GetJobsAsync(old.Id, Token))[0].Id;
        await EndAsync(scope, old, RunStatus.Failed);
        scope.Time.Advance(TimeSpan.FromDays(10));
        var kept = await RunWithLogAsync(scope, "acme/widgets", "out of memory");
        var keptJob = (await scope.Store.GetJobsAsync(kept.Id, Token))[0].Id;
        await scope.CreateRunAsync(Job("newest"));
        Assert.Equal(2, (await scope.Store.SearchLogsAsync(new LogSearchQuery("out of memory"), Token)).Matches.Count);
        Assert.Equal(1, scope.Scalar($"SELECT count(*) FROM log_blocks WHERE job_id = {oldJob}"));

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token));

        Assert.Equal(0, scope.Scalar($"SELECT count(*) FROM log_blocks WHERE job_id = {oldJob}"));
        Assert.Equal(1, scope.Scalar($"SELECT count(*) FROM log_blocks WHERE job_id = {keptJob}"));
        Assert.Equal([kept.Id], (await scope.Store.SearchLogsAsync(new LogSearchQuery("out of memory"), Token)).Matches.Select(m => m.Run.Id));
    }
}
