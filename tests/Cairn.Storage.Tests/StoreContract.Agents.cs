using Cairn.Core.Agents;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Agent records (written under the attempt's lease, read back exactly, summed for a budget) and a leased job
/// given back until later.</summary>
public abstract partial class StoreContract
{
    private static AgentReport Report(string? session, decimal? cost, long? input = null, long? output = null) =>
        new(AgentCli.Claude, "sonnet", session, new AgentUsage(3, input, output, cost), "success", "cairn/1-implement", "abc123", "/t/attempt-1.jsonl", Ended: true)
        {
            VerifyFailure = "test\nexpected 1, was 2",
        };

    [Fact]
    public async Task AgentRecord_IsWrittenUnderTheLease_AndReadBackExactly()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);

        Assert.True(await scope.Store.RecordAgentAsync(jobId, lease!.LeaseId, lease.Attempt, Report("s-1", 0.123456m, 1000, 20), Token));
        Assert.True(await scope.Store.RecordAgentAsync(jobId, lease.LeaseId, lease.Attempt, Report("s-1", 0.5m, 2000, 40), Token));
        Assert.False(await scope.Store.RecordAgentAsync(jobId, Guid.NewGuid(), lease.Attempt, Report("other", 9m), Token));

        var kept = await ((IAgentSessionStore)scope.Store).GetAgentSessionAsync(jobId, lease.Attempt, Token);
        Assert.NotNull(kept);
        Assert.Equal(lease.RunId, kept.RunId);
        Assert.Equal("s-1", kept.Report.SessionId);
        Assert.Equal(0.5m, kept.Report.Usage.CostUsd);
        Assert.Equal(2000, kept.Report.Usage.InputTokens);
        Assert.Equal(3, kept.Report.Usage.Turns);
        Assert.Equal("test\nexpected 1, was 2", kept.Report.VerifyFailure);
        Assert.Equal(AgentCli.Claude, kept.Report.Cli);
        Assert.True(kept.Report.Ended);
        Assert.Null(await ((IAgentSessionStore)scope.Store).GetAgentSessionAsync(jobId, lease.Attempt + 1, Token));
        Assert.Single(await scope.Store.GetAgentSessionsAsync(lease.RunId, Token));

        var now = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.CompleteAsync(lease, new JobCompletion(JobStatus.Succeeded, 0, null, null, now, now), Token));
        Assert.False(await scope.Store.RecordAgentAsync(jobId, lease.LeaseId, lease.Attempt, Report("late", 1m), Token));
        Assert.Equal("s-1", (await ((IAgentSessionStore)scope.Store).GetAgentSessionAsync(jobId, lease.Attempt, Token))!.Report.SessionId);
    }

    [Fact]
    public async Task AgentSpend_SumsExactly_SinceTheMomentAsked()
    {
        await using var scope = await OpenAsync();
        var jobs = await scope.QueueJobsAsync(2);
        var start = scope.Time.GetUtcNow();
        await scope.Store.RecordAgentAsync(jobs[0], 1, Report("a", 0.1m, 10, 5), start - TimeSpan.FromHours(1), Token);
        await scope.Store.RecordAgentAsync(jobs[0], 2, Report("b", 0.1m, 10, 5), start, Token);
        await scope.Store.RecordAgentAsync(jobs[1], 1, Report("c", 0.2m, 100, null), start + TimeSpan.FromMinutes(1), Token);

        var run = await scope.Store.GetJobAsync(jobs[0], Token);
        var repository = (await scope.Store.GetRunAsync(run!.RunId, Token))!.Repository ?? "";
        var spend = await scope.Store.GetAgentSpendAsync(repository, start, Token);

        Assert.Equal(0.3m, spend.CostUsd);
        Assert.Equal(115, spend.Tokens);
        Assert.Equal(new AgentSpend(0, 0), await scope.Store.GetAgentSpendAsync("nobody/else", start, Token));
    }

    [Fact]
    public async Task Defer_GivesTheJobBack_WithItsReason_UntilLater()
    {
        await using var scope = await OpenAsync();
        var jobId = (await scope.QueueJobsAsync(1))[0];
        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);
        var until = scope.Time.GetUtcNow() + TimeSpan.FromHours(2);

        Assert.False(await scope.Store.DeferAsync(lease! with { LeaseId = Guid.NewGuid() }, until, "not mine", Token));
        Assert.True(await scope.Store.DeferAsync(lease!, until, "the daily agent budget is spent", Token));

        var queued = await scope.Store.GetJobAsync(jobId, Token);
        Assert.Equal(JobStatus.Queued, queued!.Status);
        Assert.Equal(0, queued.Attempt);
        Assert.Equal("the daily agent budget is spent", queued.PendingReason);
        Assert.Null(await scope.Store.TryLeaseAsync("w1/abc/1", [], Token));
        Assert.False(await scope.Store.DeferAsync(lease!, until, "again", Token));

        scope.Time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        var again = await scope.Store.TryLeaseAsync("w1/abc/2", [], Token);
        Assert.NotNull(again);
        Assert.Equal(1, again.Attempt);
        Assert.Null(again.Job.PendingReason);
        Assert.Null((await scope.Store.GetJobAsync(jobId, Token))!.PendingReason);
    }
}
