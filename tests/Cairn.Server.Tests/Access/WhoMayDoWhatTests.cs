using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Cairn.Core.Access;
using Cairn.Server.Api;

namespace Cairn.Server.Tests.Authorization;

/// <summary>What each kind of caller may do, end to end: public repositories, roles, a token's scopes, users removed or
/// disabled mid-session, signing out, and the limit on failed tokens.</summary>
public sealed partial class WhoMayDoWhatTests(AccessWorld world) : IClassFixture<AccessWorld>
{
    [Fact]
    public async Task A_public_repositorys_run_job_and_log_are_open_and_nothing_else_is()
    {
        using var anonymous = world.Client(world.Caller("no token"));
        var (run, job) = world.Runs[AccessWorld.Site];
        var (privateRun, _) = world.Runs[AccessWorld.App];

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/v1/runs/{run}")).StatusCode);
        Assert.Contains(AccessWorld.LogLine, await anonymous.GetStringAsync($"/api/v1/runs/{run}/jobs/{job}/log"), StringComparison.Ordinal);
        var listed = (await anonymous.GetFromJsonAsync<Page<RunView>>($"/api/v1/runs?repo={AccessWorld.Site}"))!.Items;
        Assert.NotEmpty(listed);
        Assert.All(listed, r => Assert.Equal(AccessWorld.Site, r.Repo));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/runs?repo={AccessWorld.App}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/repos/{AccessWorld.Site}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/runs/{privateRun}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/repos/acme/site/runs", new { @ref = "main" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/v1/runs/{run}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/repos/acme/site/secrets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/audit")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_cannot_trigger_and_a_developer_can()
    {
        using var viewer = world.Client(world.Caller("viewer"));
        using var developer = world.Client(world.Caller("developer"));

        var refused = await viewer.PostAsJsonAsync("/api/v1/repos/acme/app/runs", new { @ref = "main" });
        var triggered = await developer.PostAsJsonAsync("/api/v1/repos/acme/app/runs", new { @ref = "main" });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("developer", (await refused.Content.ReadFromJsonAsync<Dictionary<string, object>>())!["requiredRole"].ToString());
        Assert.Equal(HttpStatusCode.Created, triggered.StatusCode);
        await world.Server.WaitForRunAsync((await triggered.Content.ReadFromJsonAsync<RunView>())!.Id);
    }

    [Fact]
    public async Task A_maintainer_sets_their_repositorys_secrets_and_no_others()
    {
        using var maintainer = world.Client(world.Caller("maintainer of acme/app"));

        Assert.True((await maintainer.PutAsJsonAsync("/api/v1/repos/acme/app/secrets/MINE", new { value = "v" })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await maintainer.PutAsJsonAsync("/api/v1/repos/group/sub/proj/secrets/MINE", new { value = "v" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await maintainer.PutAsJsonAsync("/api/v1/repos/acme/site/secrets/MINE", new { value = "v" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await maintainer.PutAsJsonAsync("/api/v1/secrets/MINE", new { value = "v" })).StatusCode);
        var audit = (await maintainer.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit"))!.Items;
        Assert.NotEmpty(audit);
        Assert.All(audit, e => Assert.Equal(AccessWorld.App, e.Repository));
    }

    [Fact]
    public async Task A_tokens_scopes_cap_its_user()
    {
        using var readOnly = world.Client(world.Caller("read-only admin"));

        var added = await readOnly.PostAsJsonAsync("/api/v1/repos", new { name = "acme/more", forge = "github", cloneUrl = "https://example.invalid/x.git" });

        Assert.Equal(HttpStatusCode.Forbidden, added.StatusCode);
        Assert.Contains("read", await added.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync("/api/v1/repos/acme/app")).StatusCode);
    }

    [Fact]
    public async Task A_user_removed_or_disabled_mid_session_loses_access_on_the_next_request()
    {
        var users = world.Service<IUserStore>();
        var removed = await world.UserAsync("leaving", Role.Developer);
        var disabled = await world.UserAsync("paused", Role.Developer);
        var removedToken = await world.TokenAsync(removed, TokenScope.Read | TokenScope.Trigger);
        var disabledToken = await world.TokenAsync(disabled, TokenScope.Read | TokenScope.Trigger);
        using var byToken = world.Client(new Who("leaving", removedToken, false, null, null, null, null));
        using var disabledByToken = world.Client(new Who("paused", disabledToken, false, null, null, null, null));
        var (session, cookies) = await SignInAsync(removedToken);
        var (disabledSession, _) = await SignInAsync(disabledToken);
        using var _1 = session;
        using var _2 = disabledSession;
        Assert.Equal(HttpStatusCode.OK, (await byToken.GetAsync("/api/v1/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await disabledSession.GetAsync("/runs")).StatusCode);

        Assert.True(await users.DeleteUserAsync(removed.Name, world.Service<TimeProvider>().GetUtcNow(), CancellationToken.None));
        Assert.True(await users.SetUserDisabledAsync(disabled.Name, true, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, (await byToken.GetAsync("/api/v1/runs/" + world.Runs[AccessWorld.App].Run)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await disabledByToken.GetAsync("/api/v1/runs/" + world.Runs[AccessWorld.App].Run)).StatusCode);
        Assert.StartsWith("/login", (await session.GetAsync("/runs")).Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith("/login", (await disabledSession.GetAsync("/runs")).Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.NotNull(cookies);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server()
    {
        var (session, cookies) = await SignInAsync(world.Caller("viewer").Token!);
        using var _ = session;
        var kept = cookies.GetCookieHeader(new Uri(world.Server.Url));
        var page = await session.GetStringAsync("/runs");
        Assert.Contains("vera", page, StringComparison.Ordinal);

        var signOut = await session.PostAsync("/logout", new FormUrlEncodedContent(Hidden(page)));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var replay = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(world.Server.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/runs");
        request.Headers.Add("Cookie", kept);
        var replayed = await replay.SendAsync(request);
        Assert.StartsWith("/login", replayed.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_tokens_from_one_address_are_limited_to_ten_a_minute()
    {
        using var guesser = world.Client(new Who("guesser", "cairn_" + new string('x', 40), true, null, null, null, null));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 11; i++)
        {
            answers.Add(await guesser.GetAsync("/api/v1/runs"));
        }

        Assert.All(answers.Take(10), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[10].StatusCode);
        Assert.NotNull(answers[10].Headers.RetryAfter);
        using var admin = world.Client(world.Caller("admin"));
        var audit = (await admin.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit?limit=100"))!.Items;
        Assert.Contains(audit, e => e.Action == AuditActions.TokenRefused && e.Target == "token xxxxxxxx" && e.Outcome == AuditOutcomes.Denied);
    }

    /// <summary>Signs in through the dashboard's form with <paramref name="token"/>; the client keeps the cookie and does
    /// not follow redirects.</summary>
    private async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(string token)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies })
        {
            BaseAddress = new Uri(world.Server.Url),
        };
        var form = Hidden(await client.GetStringAsync("/login"));
        form["Form.Token"] = token;
        var signedIn = await client.PostAsync("/login", new FormUrlEncodedContent(form));
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync());
        return (client, cookies);
    }

    private static Dictionary<string, string> Hidden(string page) =>
        HiddenInput().Matches(page).DistinctBy(m => m.Groups["name"].Value)
            .ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
