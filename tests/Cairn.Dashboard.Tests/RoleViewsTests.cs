using System.Globalization;
using Cairn.Core.Access;
using Cairn.Core.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cairn.Dashboard.Tests;

/// <summary><see cref="DashboardSite"/> with a second repository, <c>octo/site</c>, made public.</summary>
public sealed class RolesSite : DashboardSite
{
    public const string Public = "octo/site";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.AddRepositoryAsync(Public, "github", Repository.CloneUrl, "http://127.0.0.1:9/", "s");
        Assert.NotNull(await Server.Services.GetRequiredService<IRepositoryStore>()
            .UpdateRepositoryAsync(Public, new RepositorySettingsChange(Public: true), CancellationToken.None));
    }
}

/// <summary>The dashboard as each role sees it, in a real browser: a viewer reads and does nothing, a developer cancels
/// and reruns, a repository's maintainer manages its secrets only, and someone not signed in reads a public repository's
/// runs and logs and nothing else. With CAIRN_DASHBOARD_SHOTS set, the run page is kept as each sees it.</summary>
public sealed class RoleViewsTests(RolesSite site) : IClassFixture<RolesSite>
{
    private static readonly string Shots = Environment.GetEnvironmentVariable("CAIRN_DASHBOARD_SHOTS") is { Length: > 0 } given
        ? given
        : Path.Combine(Path.GetTempPath(), "cairn-dashboard-shots");

    [BrowserFact]
    public async Task A_viewer_sees_no_run_buttons_and_a_developer_cancels_from_the_page()
    {
        using var gate = new TempDirectory();
        var running = await site.StartRunAsync($$"""
            name: ci
            on: { manual: {} }
            jobs:
              wait:
                steps: [{ name: wait, run: "echo waiting; while [ ! -f '{{gate.Combine("open")}}' ]; do sleep 0.1; done" }]
            """);
        var viewer = await site.SignedInPageAsync(await site.UserWithTokenAsync("vera", Role.Viewer));
        var developer = await site.SignedInPageAsync(await site.UserWithTokenAsync("devon", Role.Developer));

        await viewer.GotoAsync($"/runs/{running.Id}");
        await Assertions.Expect(viewer.Locator(".run-head .status")).ToContainTextAsync("running");
        await Assertions.Expect(viewer.Locator(".who")).ToHaveTextAsync("vera");
        Assert.Equal(0, await viewer.Locator($"form[action^='/runs/{running.Id}/']").CountAsync());
        await Shot(viewer, "run-viewer-1280.png");

        await developer.GotoAsync($"/runs/{running.Id}");
        await Assertions.Expect(developer.Locator(".who")).ToHaveTextAsync("devon");
        var cancel = developer.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel", Exact = true });
        await Assertions.Expect(cancel).ToBeVisibleAsync();
        await Shot(developer, "run-developer-1280.png");
        await cancel.ClickAsync();

        Assert.Equal("cancelled", (await site.Server.WaitForRunAsync(running.Id)).Status);
        await developer.GotoAsync($"/runs/{running.Id}");
        await Assertions.Expect(developer.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rerun", Exact = true })).ToBeVisibleAsync();
        await viewer.GotoAsync($"/runs/{running.Id}");
        await Assertions.Expect(viewer.Locator(".run-head .status")).ToContainTextAsync("cancelled");
        Assert.Equal(0, await viewer.Locator($"form[action^='/runs/{running.Id}/']").CountAsync());
    }

    [BrowserFact]
    public async Task Someone_not_signed_in_reads_a_public_run_and_its_log_and_is_sent_to_sign_in_for_the_rest()
    {
        var open = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline("public-line-42"), RolesSite.Public)).Id);
        var closed = await site.Server.WaitForRunAsync((await site.StartRunAsync(Pipeline("private-line"))).Id);
        var page = await site.NewPageAsync();

        var shown = await page.GotoAsync($"/runs/{open.Id}");
        Assert.Equal(200, shown!.Status);
        Assert.EndsWith($"/runs/{open.Id}", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator(".run-head .status")).ToContainTextAsync("succeeded");
        Assert.Equal(0, await page.Locator($"form[action^='/runs/{open.Id}/']").CountAsync());
        await Assertions.Expect(page.Locator(".topbar .signin")).ToHaveAttributeAsync("href", "/login?return=" + Uri.EscapeDataString($"/runs/{open.Id}"));
        await Shot(page, "run-public-1280.png");
        await page.GotoAsync($"/runs/{open.Id}/jobs/{open.Jobs!.Single().Id}");
        Assert.EndsWith($"/jobs/{open.Jobs!.Single().Id}", page.Url, StringComparison.Ordinal);
        // A passed step starts folded: opening it fetches its lines through the API, as someone not signed in.
        await page.Locator("#log .log-step", new PageLocatorOptions { HasText = "say" }).ClickAsync();
        await Assertions.Expect(page.Locator("#log .log-line .log-text", new PageLocatorOptions { HasText = "public-line-42" })).ToBeVisibleAsync();

        await page.GotoAsync($"/runs/{closed.Id}");
        Assert.EndsWith("/login?return=" + Uri.EscapeDataString($"/runs/{closed.Id}"), page.Url, StringComparison.Ordinal);
        await page.GotoAsync("/runs");
        Assert.Contains("/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.GotoAsync($"/runs/{closed.Id}/jobs/{closed.Jobs!.Single().Id}");
        Assert.Contains("/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_maintainer_of_one_repository_sets_its_secrets_only_and_a_viewer_sees_no_forms()
    {
        var token = await site.UserWithTokenAsync("maya", null);
        Assert.True(await site.Server.Services.GetRequiredService<IMemberStore>().SetMemberAsync("octo/app", "maya", Role.Maintainer, CancellationToken.None));
        var maintainer = await site.SignedInPageAsync(token);

        await maintainer.GotoAsync("/secrets");
        var scopes = await maintainer.Locator("#secret-scope option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        Assert.Equal(["octo/app"], scopes);
        await maintainer.SelectOptionAsync("#secret-scope", "octo/app");
        await maintainer.FillAsync("#secret-name", "MAYA_KEY");
        await maintainer.FillAsync("#secret-value", "maya-value");
        await maintainer.ClickAsync("form[action='/secrets/set'] button[type=submit]");
        await Assertions.Expect(maintainer.Locator("table")).ToContainTextAsync("MAYA_KEY");
        var listed = await site.Server.Client.GetStringAsync("/api/v1/repos/octo/app/secrets");
        Assert.Contains("MAYA_KEY", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("maya-value", listed, StringComparison.Ordinal);

        var viewer = await site.SignedInPageAsync(await site.UserWithTokenAsync("vic", Role.Viewer));
        var response = await viewer.GotoAsync("/secrets");
        Assert.Equal(200, response!.Status);
        Assert.Equal(0, await viewer.Locator("form[action^='/secrets']").CountAsync());
        Assert.Equal(0, await viewer.Locator("#secret-scope").CountAsync());
    }

    private static string Pipeline(string line) => $$"""
        name: ci
        on: { manual: {} }
        jobs:
          say:
            steps: [{ name: say, run: echo {{line}} }]
        """;

    private static async Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, name), FullPage = true });
    }
}
