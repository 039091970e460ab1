using System.Data.Common;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>A log of many batches reads back exactly through every reader, whatever way the store keeps it (both keep
/// chunks of consecutive lines, cut at 64 lines, at 8 KB and at each batch's end).</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task ALongLogOfUnevenBatches_ReadsBackExactly_FromEverySequence()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lines = NoisyLines(scope, 1, 700);
        foreach (var batch in Batches(lines, [1, 63, 64, 65, 2, 130, 500]))
        {
            await scope.Store.AppendLogAsync(jobId, batch, Token);
        }

        Assert.Equal(700, await scope.Store.GetLastLogSequenceAsync(jobId, Token));
        Assert.Equal(lines, await scope.Store.ReadLogAsync(jobId, 0, 1_000, Token));
        foreach (var after in new[] { 0, 1, 62, 63, 64, 65, 127, 128, 129, 200, 640, 699, 700 })
        {
            foreach (var limit in new[] { 1, 7, 64, 65, 1_000 })
            {
                Assert.Equal(lines.Skip(after).Take(limit), await scope.Store.ReadLogAsync(jobId, after, limit, Token));
            }
        }

        // Pages as a follower or the log.txt download reads them.
        var paged = new List<StoredLogLine>();
        for (var page = await scope.Store.ReadLogAsync(jobId, 0, 50, Token); page.Count > 0; page = await scope.Store.ReadLogAsync(jobId, page[^1].Sequence, 50, Token))
        {
            paged.AddRange(page);
        }

        Assert.Equal(lines, paged);
    }

    [Fact]
    public async Task ALongLog_ReadsBackOneStepAtATime_AndItsSearchFindsALineDeepInIt()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"));
        var jobId = (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id;
        var lines = NoisyLines(scope, 1, 400);
        lines[333] = lines[333] with { Text = "\u001b[31merror:\u001b[0m the \"gizmo\" \\ widget broke 💥" };
        foreach (var batch in Batches(lines, [90, 310]))
        {
            await scope.Store.AppendLogAsync(jobId, batch, Token);
        }

        foreach (var step in new[] { 0, 1, 2, 3 })
        {
            var expected = lines.Where(l => l.StepIndex == step).ToList();
            Assert.Equal(expected, await scope.Store.ReadStepLogAsync(jobId, step, 0, 1_000, Token));
            Assert.Equal(expected.Where(l => l.Sequence > 100).Take(3), await scope.Store.ReadStepLogAsync(jobId, step, 100, 3, Token));
        }

        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery("\"GIZMO\" \\ widget"), Token)).Matches.Single();
        Assert.Equal((334L, 1L, lines[333].Text), (match.Sequence, match.MatchingLines, match.Text));
        Assert.Equal(80, (await scope.Store.SearchLogsAsync(new LogSearchQuery("[32mok"), Token)).Matches.Single().MatchingLines);
    }

    [Fact]
    public async Task LinesAlreadyStored_AreRefusedAsDuplicates_AndNothingOfTheBatchIsStored()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lines = NoisyLines(scope, 1, 200);
        await scope.Store.AppendLogAsync(jobId, lines[..100], Token);

        foreach (var overlapping in new[] { lines[..100], lines[99..150], lines[30..40], lines[63..120] })
        {
            var refused = await Assert.ThrowsAnyAsync<DbException>(() => scope.Store.AppendLogAsync(jobId, overlapping, Token));
            Assert.True(IsDuplicate(refused), refused.Message);
        }

        Assert.Equal(lines[..100], await scope.Store.ReadLogAsync(jobId, 0, 1_000, Token));

        // A batch holding a line twice overlaps itself.
        var twice = await Assert.ThrowsAnyAsync<DbException>(() => scope.Store.AppendLogAsync(jobId, [.. lines[100..110], .. lines[104..108]], Token));
        Assert.True(IsDuplicate(twice), twice.Message);
        Assert.Equal(100, await scope.Store.GetLastLogSequenceAsync(jobId, Token));

        await scope.Store.AppendLogAsync(jobId, lines[100..], Token);
        Assert.Equal(lines, await scope.Store.ReadLogAsync(jobId, 0, 1_000, Token));
    }

    /// <summary>What the HTTP log intake takes for a batch another writer stored first.</summary>
    private static bool IsDuplicate(DbException ex) =>
        ex.SqlState == "23505" || ex.Message.Contains("UNIQUE constraint", StringComparison.OrdinalIgnoreCase);

    /// <summary>Lines of every stream, four steps in turn, some long (a chunk is cut at 8 KB), some with what JSON escapes.</summary>
    private static List<StoredLogLine> NoisyLines(StoreScope scope, long first, int count)
    {
        var at = scope.Time.GetUtcNow();
        return [.. Enumerable.Range(0, count).Select(i => new StoredLogLine(
            first + i,
            i * 4 / count,
            (LogStream)(i % 3),
            at.AddMilliseconds(i * 7),
            (i % 5) switch
            {
                0 => $"line {first + i}: \u001b[32mok\u001b[0m\tdone",
                1 => $"line {first + i}: {new string('x', 3_000 + i)}",
                2 => $"line {first + i}: \"quoted\" \\ back\\slash \r and é, 漢字, 💥",
                3 => "",
                _ => $"line {first + i}: \u0001\u001f control",
            }))];
    }

    private static IEnumerable<List<StoredLogLine>> Batches(List<StoredLogLine> lines, int[] sizes)
    {
        for (int at = 0, turn = 0; at < lines.Count; at += sizes[turn++ % sizes.Length])
        {
            yield return lines.Skip(at).Take(sizes[turn % sizes.Length]).ToList();
        }
    }
}
