using Cairn.Core.Logs;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task AppendedLog_ReadsBackInPages()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var at = scope.Time.GetUtcNow();
        var lines = Enumerable.Range(1, 25)
            .Select(i => new StoredLogLine(i, i / 10, (LogStream)(i % 3), at.AddMilliseconds(i), $"line {i}"))
            .ToList();

        await scope.Store.AppendLogAsync(jobId, lines[..20], Token);
        await scope.Store.AppendLogAsync(jobId, lines[20..], Token);
        await scope.Store.AppendLogAsync(jobId, [], Token);

        var page1 = await scope.Store.ReadLogAsync(jobId, 0, 10, Token);
        var page2 = await scope.Store.ReadLogAsync(jobId, page1[^1].Sequence, 10, Token);
        var page3 = await scope.Store.ReadLogAsync(jobId, page2[^1].Sequence, 10, Token);
        var end = await scope.Store.ReadLogAsync(jobId, page3[^1].Sequence, 10, Token);

        Assert.Equal(lines, [.. page1, .. page2, .. page3]);
        Assert.Equal([10, 10, 5, 0], new[] { page1.Count, page2.Count, page3.Count, end.Count });
        Assert.Empty(await scope.Store.ReadLogAsync(jobId + 1, 0, 10, Token));
    }

    [Fact]
    public async Task StepLog_ReadsOnlyThatStepsLines_InPages()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(2))[0];
        var at = scope.Time.GetUtcNow();
        var lines = Enumerable.Range(1, 30)
            .Select(i => new StoredLogLine(i, i <= 8 ? 0 : i <= 20 ? 1 : 2, LogStream.Stdout, at.AddMilliseconds(i), $"line {i}"))
            .ToList();
        await scope.Store.AppendLogAsync(jobId, lines, Token);

        var first = await scope.Store.ReadStepLogAsync(jobId, 1, 0, 5, Token);
        var rest = await scope.Store.ReadStepLogAsync(jobId, 1, first[^1].Sequence, 100, Token);

        Assert.Equal(lines[8..20], [.. first, .. rest]);
        Assert.Equal(5, first.Count);
        Assert.Equal(lines[20..], await scope.Store.ReadStepLogAsync(jobId, 2, 0, 100, Token));
        Assert.Empty(await scope.Store.ReadStepLogAsync(jobId, 3, 0, 100, Token));
        Assert.Empty(await scope.Store.ReadStepLogAsync(jobId + 1, 1, 0, 100, Token));
    }

    [Fact]
    public async Task SaveStep_InsertsThenReplaces_AndStepsReadInOrder()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var at = scope.Time.GetUtcNow();
        var compile = new StepRecord(jobId, 1, "compile", StepStatus.Running, null, at, null);
        var checkout = new StepRecord(jobId, 0, "checkout", StepStatus.Succeeded, 0, at, at.AddSeconds(1));

        await scope.Store.SaveStepAsync(compile, Token);
        await scope.Store.SaveStepAsync(checkout, Token);
        var done = compile with { Status = StepStatus.Failed, ExitCode = 1, FinishedAt = at.AddSeconds(4) };
        await scope.Store.SaveStepAsync(done, Token);

        Assert.Equal([checkout, done], await scope.Store.GetStepsAsync(jobId, Token));
    }
}
