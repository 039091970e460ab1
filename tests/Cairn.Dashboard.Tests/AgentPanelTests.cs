using Cairn.Core.Agents;
using Cairn.Core.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>An agent job's panel on its job page (CLI and model, turns, tokens, cost, session, branch and head, the result
/// as text, each attempt with a link to its transcript) and, on the run page, its row's turns and cost and the run's pull
/// requests — in a real browser.</summary>
public sealed class AgentPanelTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task The_job_page_shows_the_agents_record_and_the_run_page_its_usage_and_pull_request()
    {
        var (run, job) = await AgentRunAsync(site, "<script>document.title='owned'</script>Added a retry");

        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{run}/jobs/{job}");
        var panel = page.Locator("section.agent");
        await Assertions.Expect(panel.Locator("dd").First).ToHaveTextAsync("claude · sonnet");
        await Assertions.Expect(panel.Locator("[data-field=turns]")).ToHaveTextAsync("12");
        await Assertions.Expect(panel.Locator("[data-field=tokens]")).ToHaveTextAsync("48k in / 9k out");
        await Assertions.Expect(panel.Locator("[data-field=cost]")).ToHaveTextAsync("$0.84");
        await Assertions.Expect(panel.Locator("[data-field=session]")).ToHaveTextAsync("6f1c2e3a-0000-4000-8000-000000000000");
        await Assertions.Expect(panel.Locator("[data-field=branch]")).ToHaveTextAsync("cairn/1-build at 01234567");
        await Assertions.Expect(panel.Locator("[data-field=result]")).ToContainTextAsync("<script>document.title='owned'</script>Added a retry");
        Assert.NotEqual("owned", await page.TitleAsync());
        await Assertions.Expect(panel.Locator("tr[data-agent-attempt]")).ToHaveCountAsync(2);
        await Assertions.Expect(panel.Locator("tr[data-agent-attempt='2'] a")).ToHaveAttributeAsync("href", $"/api/v1/runs/{run}/jobs/{job}/agent/transcript?attempt=2");
        await Assertions.Expect(panel.Locator("tr[data-agent-attempt='1'] a")).ToHaveCountAsync(0);

        await page.GotoAsync($"/runs/{run}");
        await Assertions.Expect(page.Locator($"details[data-job='{job}'] .agent-usage")).ToHaveTextAsync("12 turns · $0.84");
        var pullRequest = page.Locator("ul.pull-requests li[data-pull-request='12']");
        await Assertions.Expect(pullRequest).ToContainTextAsync("PR #12: checks passing (draft)");
        await Assertions.Expect(pullRequest.Locator("a")).ToHaveAttributeAsync("href", "https://forge.test/octo/app/pull/12");
    }

    [BrowserFact]
    public async Task A_job_without_an_agent_record_has_no_agent_panel()
    {
        var plain = await site.StartRunAsync("name: ci\non: { manual: {} }\njobs:\n  build:\n    steps: [{ run: 'true' }]\n");
        var ended = await site.Server.WaitForRunAsync(plain.Id);

        var page = await site.SignedInPageAsync();
        await page.GotoAsync($"/runs/{plain.Id}/jobs/{ended.Jobs![0].Id}");

        await Assertions.Expect(page.Locator("dl.facts").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("section.agent")).ToHaveCountAsync(0);
    }

    /// <summary>A finished run whose job has two agent attempts (the second with a transcript) and a pull request.</summary>
    internal static async Task<(long Run, long Job)> AgentRunAsync(DashboardSite site, string result)
    {
        var started = await site.StartRunAsync("name: ci\non: { manual: {} }\njobs:\n  build:\n    steps: [{ name: work, run: 'true' }]\n");
        var ended = await site.Server.WaitForRunAsync(started.Id);
        var job = ended.Jobs![0].Id;
        var token = CancellationToken.None;
        var agents = site.Server.Services.GetRequiredService<IAgentSessionStore>();
        var at = DateTimeOffset.UtcNow;
        await agents.RecordAgentAsync(job, 1, new AgentReport(AgentCli.Claude, "sonnet", "0b7d55aa-0000-4000-8000-000000000000",
            new AgentUsage(4, 9_000, 1_200, 0.21m), "The tests failed", "cairn/1-build", null, null, true), at.AddMinutes(-5), token);
        await agents.RecordAgentAsync(job, 2, new AgentReport(AgentCli.Claude, "sonnet", "6f1c2e3a-0000-4000-8000-000000000000",
            new AgentUsage(12, 48_000, 9_000, 0.84m), result + "\n\nThe fetch now retries three times, with a test.", "cairn/1-build", "0123456789abcdef",
            Path.Combine(site.Server.DataDirectory, "agents", "attempt-2.jsonl"), true), at, token);
        await site.Server.Services.GetRequiredService<IPullRequestStore>().RecordPullRequestAsync(
            new PullRequestRecord(started.Id, job, "octo/app", "cairn/1-build", 12, "https://forge.test/octo/app/pull/12", "0123456789abcdef", true, "passing", null, at), token);
        return (started.Id, job);
    }
}
