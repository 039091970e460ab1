using Cairn.Core.Publishing;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The pull requests publish jobs opened: one row per (run, job), replaced when the job publishes again, and
/// their checks set by repository and head commit.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task PullRequest_IsRecordedPerJob_AndReplacedWhenPublishedAgain()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("implement"), Job("publish"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var at = scope.Time.GetUtcNow();
        var first = new PullRequestRecord(run.Id, jobs[1].Id, "acme/app", "cairn/1-implement", 12, "https://forge/acme/app/pull/12", "aaa", true, null, null, at);

        Assert.Empty(await scope.Store.GetPullRequestsAsync(run.Id, Token));
        await scope.Store.RecordPullRequestAsync(first, Token);
        var stored = Assert.Single(await scope.Store.GetPullRequestsAsync(run.Id, Token));
        Assert.Equal(first, stored);
        Assert.Equal("PR #12", stored.Describe());

        var again = first with { HeadSha = "bbb", UpdatedAt = at.AddMinutes(1) };
        await scope.Store.RecordPullRequestAsync(again, Token);
        Assert.Equal(again, Assert.Single(await scope.Store.GetPullRequestsAsync(run.Id, Token)));
    }

    [Fact]
    public async Task Checks_AreSetOnTheRecordsOfTheRepositoryAndHead_Only()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("publish"));
        var other = await scope.CreateRunAsync(Job("publish"));
        var at = scope.Time.GetUtcNow();
        var mine = new PullRequestRecord(run.Id, (await scope.Store.GetJobsAsync(run.Id, Token))[0].Id, "acme/app", "cairn/1-a", 12, "u", "abc123", true, null, null, at);
        var theirs = new PullRequestRecord(other.Id, (await scope.Store.GetJobsAsync(other.Id, Token))[0].Id, "acme/other", "cairn/2-a", 3, "u", "abc123", false, null, null, at);
        await scope.Store.RecordPullRequestAsync(mine, Token);
        await scope.Store.RecordPullRequestAsync(theirs, Token);

        Assert.Equal(0, await scope.Store.SetChecksAsync("acme/app", "def456", "passing", "ci", at, Token));
        Assert.Equal(1, await scope.Store.SetChecksAsync("acme/app", "abc123", "failing", "ci/test: failure", at.AddMinutes(2), Token));

        var stored = Assert.Single(await scope.Store.GetPullRequestsAsync(run.Id, Token));
        Assert.Equal("failing", stored.Checks);
        Assert.Equal("ci/test: failure", stored.ChecksDetail);
        Assert.Equal(at.AddMinutes(2), stored.UpdatedAt);
        Assert.Equal("PR #12: checks failing", stored.Describe());
        Assert.Null(Assert.Single(await scope.Store.GetPullRequestsAsync(other.Id, Token)).Checks);
    }
}
