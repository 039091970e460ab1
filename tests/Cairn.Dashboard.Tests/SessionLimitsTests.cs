using Cairn.Core.Access;

namespace Cairn.Dashboard.Tests;

/// <summary>A site whose server keeps a clock the test moves, with sessions of one idle hour and three hours at most.</summary>
public sealed class ClockedSite : DashboardSite
{
    public ClockedSite()
        : this(new ManualTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private ClockedSite(ManualTimeProvider clock)
        : base(settings => { settings["Auth:SessionIdle"] = "1h"; settings["Auth:SessionLifetime"] = "3h"; }, runtime => runtime with { Time = clock }) =>
        Clock = clock;

    public ManualTimeProvider Clock { get; }
}

/// <summary>A session ends on the server when it sits idle past the limit, and when it reaches its absolute lifetime
/// however busy it is: the next page load lands on <c>/login</c>.</summary>
public sealed class SessionLimitsTests(ClockedSite site) : IClassFixture<ClockedSite>
{
    [BrowserFact]
    public async Task A_session_idle_past_the_limit_lands_on_sign_in()
    {
        var page = await site.SignedInPageAsync(await site.UserWithTokenAsync("idle", Role.Viewer));
        await page.GotoAsync("/runs");
        Assert.EndsWith("/runs", page.Url, StringComparison.Ordinal);

        site.Clock.Advance(TimeSpan.FromMinutes(61));
        await page.GotoAsync("/runs");

        Assert.Contains("/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_session_in_use_ends_at_its_absolute_lifetime()
    {
        var page = await site.SignedInPageAsync(await site.UserWithTokenAsync("busy", Role.Viewer));
        // Used every fifty minutes, so never idle for the hour: only the three hours end it.
        for (var i = 0; i < 3; i++)
        {
            site.Clock.Advance(TimeSpan.FromMinutes(50));
            await page.GotoAsync("/runs");
            Assert.EndsWith("/runs", page.Url, StringComparison.Ordinal);
        }

        site.Clock.Advance(TimeSpan.FromMinutes(50));
        await page.GotoAsync("/runs");

        Assert.Contains("/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
    }
}
