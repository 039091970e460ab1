using Cairn.Core.Agents;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Server.Hosting;
using Cairn.Storage.Sqlite;

namespace Cairn.Server.Tests;

/// <summary>The daily agent budget: its settings, and what it says from a real store's spend.</summary>
public sealed class AgentBudgetTests
{
    [Fact]
    public void Settings_AreOffByDefault_ReadFromTheirVariables_AndABadValueIsNamed()
    {
        var (plain, _) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), new Dictionary<string, string?>()), "/tmp");
        var (set, errors) = ServerSettings.Bind(ServerSettings.Compose(null,
            new Dictionary<string, string?> { ["CAIRN_AGENT_DAILY_BUDGET_USD"] = "10.50", ["CAIRN_AGENT_DAILY_TOKENS"] = "2000" },
            new Dictionary<string, string?>()), "/tmp");
        var (_, bad) = ServerSettings.Bind(ServerSettings.Compose(null,
            new Dictionary<string, string?>(), new Dictionary<string, string?> { ["AgentDailyBudgetUsd"] = "lots" }), "/tmp");

        Assert.False(plain!.AgentBudget.IsSet);
        Assert.Empty(errors);
        Assert.Equal(new AgentBudgetSettings(10.50m, 2000), set!.AgentBudget);
        Assert.Contains(bad, e => e.StartsWith("--agent-daily-budget-usd / CAIRN_AGENT_DAILY_BUDGET_USD", StringComparison.Ordinal) && e.Contains("'lots'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Budget_RefusesOnceTodaysSpendReachesIt_UntilTheNextUtcDay()
    {
        var token = TestContext.Current.CancellationToken;
        using var folder = new TempDirectory();
        var time = new ManualTimeProvider(new DateTimeOffset(2031, 3, 4, 15, 30, 0, TimeSpan.Zero));
        await using var store = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = folder.Combine("cairn.db") }, time, token);
        var run = await store.CreateRunAsync(new RunPlan("ci",
            new TriggerEvent(TriggerKind.Push, "acme/app", "refs/heads/main", "abc", new Dictionary<string, string>(), null),
            [new PlannedJob("implement", "k", [], [], """{"name":"implement"}""")]), token);
        var job = (await store.GetJobsAsync(run.Id, token))[0];
        var budget = new DailyAgentBudget(new AgentBudgetSettings(1.00m, null), store, time);
        AgentReport Spent(decimal usd) => new(AgentCli.Claude, null, "s", new AgentUsage(1, 10, 10, usd), null, "cairn/1-implement", null, null, true);

        await store.RecordAgentAsync(job.Id, 1, Spent(5m), time.GetUtcNow() - TimeSpan.FromDays(1), token);
        await store.RecordAgentAsync(job.Id, 2, Spent(0.60m), time.GetUtcNow(), token);
        Assert.Null(await budget.RefusalAsync("acme/app", token));

        await store.RecordAgentAsync(job.Id, 3, Spent(0.42m), time.GetUtcNow(), token);
        var refusal = await budget.RefusalAsync("acme/app", token);

        Assert.NotNull(refusal);
        Assert.Equal("the repository's daily agent budget is spent ($1.02 of $1.00); it starts again at 00:00 UTC", refusal.Value.Reason);
        Assert.Equal(new DateTimeOffset(2031, 3, 5, 0, 0, 0, TimeSpan.Zero), refusal.Value.Until);
        Assert.Null(await budget.RefusalAsync("acme/other", token));
    }
}
