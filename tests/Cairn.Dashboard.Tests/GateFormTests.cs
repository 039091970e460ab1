using System.Net;
using Cairn.Core.Access;
using Cairn.Core.Engine;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary>The Approve and Reject buttons of an approval job: on its job page and its row on the run page, shown only to
/// someone the gate lets decide, with who may approve, the commit and the decisions so far; a click decides the gate
/// through the dashboard channel, a post without the page's token changes nothing.</summary>
public sealed class GateFormTests(DashboardSite site) : IClassFixture<DashboardSite>
{
    [BrowserFact]
    public async Task Approve_on_the_job_page_and_reject_on_the_run_page_decide_the_gate_and_only_approvers_see_the_buttons()
    {
        var carolName = "carol-" + Guid.NewGuid().ToString("N")[..6];
        var carol = await site.UserWithTokenAsync(carolName, Role.Viewer);
        var dev = await site.UserWithTokenAsync("dev-" + Guid.NewGuid().ToString("N")[..6], Role.Developer);
        var (run, gate) = await StartGatedRunAsync(carolName);

        var outsider = await SignInAsync(dev);
        await outsider.GotoAsync($"/runs/{run}/jobs/{gate}");
        await Assertions.Expect(outsider.Locator("section.gate")).ToContainTextAsync($"Approval by {carolName}");
        await Assertions.Expect(outsider.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Approve", Exact = true })).ToHaveCountAsync(0);

        var page = await SignInAsync(carol);
        await page.GotoAsync($"/runs/{run}/jobs/{gate}");
        await page.FillAsync("section.gate textarea[name=comment]", "looks right");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Approve", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"approved by {carolName}");
        Assert.Equal("succeeded", (await site.Server.GetRunAsync(run)).Jobs!.Single(j => j.Id == gate).Status);
        await Assertions.Expect(page.Locator("section.gate .approvals")).ToContainTextAsync("looks right");

        var (second, secondGate) = await StartGatedRunAsync(carolName);
        await page.GotoAsync($"/runs/{second}");
        var bare = await page.APIRequest.PostAsync($"/runs/{second}/jobs/{secondGate}/reject", new APIRequestContextOptions { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
        Assert.Equal((int)HttpStatusCode.BadRequest, bare.Status);
        Assert.Equal("waiting", (await site.Server.GetRunAsync(second)).Jobs!.Single(j => j.Id == secondGate).Status);

        await page.FillAsync($"details[data-job='{secondGate}'] textarea[name=comment]", "not now");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Reject", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"rejected by {carolName} (dashboard): not now");
        Assert.Equal("cancelled", (await site.Server.WaitForRunAsync(second)).Status);
        Assert.Contains(
            await site.Server.Services.GetRequiredService<IAuditLog>().ListAuditAsync(new AuditQuery(Action: AuditActions.GateRejected), CancellationToken.None),
            e => e.Actor == carolName && e.Detail!.StartsWith("channel dashboard; comment: not now", StringComparison.Ordinal));
    }

    /// <summary>A page signed in with <paramref name="token"/>; the front page it lands on lives on (a run is under way), so
    /// the sign-in is done once the redirect is under way rather than once that page has loaded.</summary>
    private async Task<IPage> SignInAsync(string token)
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        return page;
    }

    /// <summary>A run whose only job is an approval job that <paramref name="approver"/> may decide, as the planner plans one.</summary>
    private async Task<(long Run, long Gate)> StartGatedRunAsync(string approver)
    {
        var template = await site.Server.WaitForRunAsync((await site.StartRunAsync("name: ci\non: { manual: {} }\njobs:\n  a:\n    steps: [{ run: echo a }]\n")).Id);
        var store = site.Server.Services.GetRequiredService<IRunStore>();
        var trigger = (await store.GetRunAsync(template.Id, CancellationToken.None))!.Trigger! with { IdempotencyKey = null, Sender = "someone-else" };
        var definition = new JobDefinitionJson("approve", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], null, [])
        {
            Kind = "approval",
            Approval = new ApprovalJson([approver], 1, (long)TimeSpan.FromHours(1).TotalMilliseconds),
        };
        var run = await site.Server.Services.GetRequiredService<RunCoordinator>().StartRunAsync(
            new RunPlan("ci", trigger, [new PlannedJob("approve", "approve", [], [], definition.Serialize())]), CancellationToken.None);
        var gate = (await store.GetJobsAsync(run.Id, CancellationToken.None)).Single().Id;
        await Eventually.TrueAsync(
            async () => await site.Server.Services.GetRequiredService<Core.Gates.IApprovalStore>().GetGateAsync(gate, CancellationToken.None) is not null,
            "the gate to open", TimeSpan.FromSeconds(30));
        return (run.Id, gate);
    }
}
