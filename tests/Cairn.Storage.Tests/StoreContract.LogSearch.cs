using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Finding text in the logs of every run: through the index, literally, newest run first, a page at a time.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task SearchLogs_FindsTextInTheMiddleOfALine_WithoutRegardToCase_NewestRunFirst()
    {
        await using var scope = await OpenAsync();
        var older = await RunWithLogAsync(scope, "acme/widgets", "starting", "dial tcp 10.0.0.1:5432: Connection Refused (retrying)", "connection refused again");
        await RunWithLogAsync(scope, "acme/widgets", "all good", "connection accepted");
        var newer = await RunWithLogAsync(scope, "acme/widgets", "step 1", "step 2", "ERROR: CONNECTION REFUSED");

        var page = await scope.Store.SearchLogsAsync(new LogSearchQuery("connection refused"), Token);

        Assert.Equal([newer.Id, older.Id], page.Matches.Select(m => m.Run.Id));
        Assert.Equal([3L, 2L], page.Matches.Select(m => m.Sequence));
        Assert.Equal([1L, 2L], page.Matches.Select(m => m.MatchingLines));
        Assert.Equal("dial tcp 10.0.0.1:5432: Connection Refused (retrying)", page.Matches[1].Text);
        Assert.Equal("build", page.Matches[0].JobName);
        Assert.Equal((await scope.Store.GetJobsAsync(newer.Id, Token))[0].Id, page.Matches[0].JobId);
        Assert.Equal(("acme/widgets", newer.Number), (page.Matches[0].Run.Repository, page.Matches[0].Run.Number));
        Assert.Null(page.Next);
        Assert.Empty((await scope.Store.SearchLogsAsync(new LogSearchQuery("connection reset"), Token)).Matches);
    }

    [Fact]
    public async Task SearchLogs_KeepsToOneRepository_WhenAsked()
    {
        await using var scope = await OpenAsync();
        var widgets = await RunWithLogAsync(scope, "acme/widgets", "disk full on runner");
        var gadgets = await RunWithLogAsync(scope, "acme/gadgets", "disk full on runner");

        var all = await scope.Store.SearchLogsAsync(new LogSearchQuery("disk full"), Token);
        var one = await scope.Store.SearchLogsAsync(new LogSearchQuery("disk full", Repository: "Acme/Widgets"), Token);

        Assert.Equal([gadgets.Id, widgets.Id], all.Matches.Select(m => m.Run.Id));
        Assert.Equal([widgets.Id], one.Matches.Select(m => m.Run.Id));
        Assert.Empty((await scope.Store.SearchLogsAsync(new LogSearchQuery("disk full", Repository: "acme/none"), Token)).Matches);
    }

    [Fact]
    public async Task SearchLogs_TakesEveryCharacterLiterally()
    {
        await using var scope = await OpenAsync();
        var run = await RunWithLogAsync(
            scope, "acme/widgets",
            "progress 100% of a_b",
            "say \"quoted\" *star* (paren) -dash C:\\temp\\x [set] ^caret$ 'single' a|b NEAR(x y) AND OR NOT",
            "axxb x-y xzy");

        foreach (var text in new[] { "100% of", "% of a_b", "\"quoted\"", "*star*", "(paren)", "-dash", "C:\\temp\\x", "[set]", "^caret$", "'single'", "a|b", "NEAR(x y)", "AND OR NOT" })
        {
            var found = await scope.Store.SearchLogsAsync(new LogSearchQuery(text), Token);
            Assert.True(found.Matches.Count == 1, $"'{text}' was not found");
            Assert.Equal(run.Id, found.Matches[0].Run.Id);
        }

        foreach (var text in new[] { "a%b", "x_y", "a__b", "a*b", "\"quoted*", "10%" + "x" })
        {
            Assert.True((await scope.Store.SearchLogsAsync(new LogSearchQuery(text), Token)).Matches.Count == 0, $"'{text}' was found");
        }
    }

    [Fact]
    public async Task SearchLogs_PagesFromNewestToOldest_AJobAtATime()
    {
        await using var scope = await OpenAsync();
        var first = await RunWithLogAsync(scope, "acme/widgets", "flaky test failed");
        var second = await scope.CreateRunAsync(Job("build"), Job("test"));
        foreach (var job in await scope.Store.GetJobsAsync(second.Id, Token))
        {
            await scope.Store.AppendLogAsync(job.Id, [Line(scope, 1, $"{job.Name}: flaky test failed")], Token);
        }

        var third = await RunWithLogAsync(scope, "acme/widgets", "flaky test failed twice", "flaky test failed");

        var page1 = await scope.Store.SearchLogsAsync(new LogSearchQuery("flaky test", Limit: 2), Token);
        var page2 = await scope.Store.SearchLogsAsync(new LogSearchQuery("flaky test", Limit: 2, Before: page1.Next), Token);

        Assert.Equal([third.Id, second.Id], page1.Matches.Select(m => m.Run.Id));
        Assert.Equal("test", page1.Matches[1].JobName);
        Assert.NotNull(page1.Next);
        Assert.Equal([(second.Id, "build"), (first.Id, "build")], page2.Matches.Select(m => (m.Run.Id, m.JobName)));
        Assert.Null(page2.Next);
        Assert.True(LogSearchCursor.TryParse(page1.Next!.ToString(), out var parsed));
        Assert.Equal(page1.Next, parsed);
    }

    [Fact]
    public async Task SearchLogs_NoLongerFindsTheLinesOfRunsRetentionRemoved()
    {
        await using var scope = await OpenAsync();
        var old = await RunWithLogAsync(scope, "acme/widgets", "segfault in worker");
        await EndAsync(scope, old, RunStatus.Failed);
        scope.Time.Advance(TimeSpan.FromDays(10));
        var kept = await RunWithLogAsync(scope, "acme/widgets", "segfault in worker");
        await scope.CreateRunAsync(Job("newest"));

        Assert.Equal(1, await scope.Store.DeleteRunsFinishedBeforeAsync(scope.Time.GetUtcNow().AddDays(-5), 100, Token));

        var found = await scope.Store.SearchLogsAsync(new LogSearchQuery("segfault"), Token);
        Assert.Equal([kept.Id], found.Matches.Select(m => m.Run.Id));
    }

    [Fact]
    public async Task SearchLogs_RefusesTextTooShortOrTooLong_AndBadLimits()
    {
        await using var scope = await OpenAsync();
        await RunWithLogAsync(scope, "acme/widgets", "ab cd");

        foreach (var query in new[]
                 {
                     new LogSearchQuery("ab"), new LogSearchQuery("  "), new LogSearchQuery(new string('x', LogSearchQuery.MaximumLength + 1)),
                     new LogSearchQuery("abc", Limit: 0), new LogSearchQuery("abc", Limit: LogSearchQuery.MaximumLimit + 1),
                 })
        {
            Assert.NotNull(query.Check());
            await Assert.ThrowsAsync<ArgumentException>(() => scope.Store.SearchLogsAsync(query, Token));
        }

        Assert.Single((await scope.Store.SearchLogsAsync(new LogSearchQuery("b c"), Token)).Matches);
    }

    [Fact]
    public async Task SearchLogs_CutsALongLineAroundTheMatch()
    {
        await using var scope = await OpenAsync();
        var line = new string('a', 3000) + "needle" + new string('b', 3000);
        await RunWithLogAsync(scope, "acme/widgets", line);

        var match = (await scope.Store.SearchLogsAsync(new LogSearchQuery("NEEDLE"), Token)).Matches.Single();

        Assert.Contains("needle", match.Text, StringComparison.Ordinal);
        Assert.True(match.Text.Length <= LogSearchMatch.MaximumTextLength + 2);
        Assert.StartsWith("…", match.Text, StringComparison.Ordinal);
        Assert.EndsWith("…", match.Text, StringComparison.Ordinal);
    }

    /// <summary>A run of one job, "build", in <paramref name="repository"/>, whose log is <paramref name="lines"/>.</summary>
    private static async Task<RunRecord> RunWithLogAsync(StoreScope scope, string repository, params string[] lines)
    {
        var run = await scope.Store.CreateRunAsync(PlanOn(repository, "refs/heads/main", TriggerKind.Push), Token);
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        await scope.Store.AppendLogAsync(job.Id, [.. lines.Select((text, i) => Line(scope, i + 1, text))], Token);
        return run;
    }

    private static StoredLogLine Line(StoreScope scope, long sequence, string text) =>
        new(sequence, 0, LogStream.Stdout, scope.Time.GetUtcNow(), text);
}
