using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>Users, repository grants and API tokens through the API: what each endpoint answers and whom it refuses.</summary>
public sealed class PeopleApiTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly List<HttpClient> clients = [];
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await ServerHarness.StartAsync(data.Path);
        foreach (var name in new[] { "octo/a", "octo/b", "group/sub/deep" })
        {
            var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name, forge = name.StartsWith("group", StringComparison.Ordinal) ? "gitlab" : "github", cloneUrl = $"https://example.invalid/{name}.git" });
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await server.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task An_admin_adds_lists_changes_and_removes_users_and_bad_or_taken_names_are_refused()
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/users", new { name = "alice", role = "developer", email = "alice@example.com" });
        var byDefault = await server.Client.PostAsJsonAsync("/api/v1/users", new { name = "bob" });
        var noRole = await server.Client.PostAsJsonAsync("/api/v1/users", new { name = "carol", role = "none" });
        var taken = await server.Client.PostAsJsonAsync("/api/v1/users", new { name = "ALICE" });
        var bad = await server.Client.PostAsJsonAsync("/api/v1/users", new { name = "-x y", role = "owner", email = "not an address" });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("/api/v1/users/alice", added.Headers.Location?.OriginalString);
        var alice = (await added.Content.ReadFromJsonAsync<UserView>())!;
        Assert.Equal(("alice", "alice@example.com", "developer", "local", false), (alice.Name, alice.Email, alice.Role, alice.Source, alice.Disabled));
        Assert.Equal("viewer", (await byDefault.Content.ReadFromJsonAsync<UserView>())!.Role);
        Assert.Equal("none", (await noRole.Content.ReadFromJsonAsync<UserView>())!.Role);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadAsStringAsync();
        foreach (var field in new[] { "name:", "role:", "email:" })
        {
            Assert.Contains(field, problem, StringComparison.Ordinal);
        }

        var list = (await server.Client.GetFromJsonAsync<Page<UserView>>("/api/v1/users"))!;
        Assert.Equal(["alice", "bob", "carol"], list.Items.Select(u => u.Name).Where(n => n is "alice" or "bob" or "carol"));
        var one = await server.Client.GetFromJsonAsync<UserView>("/api/v1/users/ALICE");
        Assert.Equal("alice", one!.Name);

        var changed = await server.Client.PatchAsJsonAsync("/api/v1/users/bob", new { role = "maintainer", disabled = true });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var bob = (await changed.Content.ReadFromJsonAsync<UserView>())!;
        Assert.Equal(("maintainer", true), (bob.Role, bob.Disabled));
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PatchAsJsonAsync("/api/v1/users/bob", new { role = "owner" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.PatchAsJsonAsync("/api/v1/users/bob", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PatchAsJsonAsync("/api/v1/users/nobody", new { role = "viewer" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/users/carol")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync("/api/v1/users/carol")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/users/carol")).StatusCode);
    }

    [Fact]
    public async Task Only_admins_manage_users_and_no_admin_removes_disables_or_demotes_themselves()
    {
        var developer = await SignInAsync("dev", "developer");
        var root = await SignInAsync("root", "admin", "read", "trigger", "admin");

        var refused = await developer.PostAsJsonAsync("/api/v1/users", new { name = "mallory", role = "admin" });
        var listRefused = await developer.GetAsync("/api/v1/users");
        var byAdmin = await root.PostAsJsonAsync("/api/v1/users", new { name = "erin" });
        var removeSelf = await root.DeleteAsync("/api/v1/users/ROOT");
        var disableSelf = await root.PatchAsJsonAsync("/api/v1/users/root", new { disabled = true });
        var demoteSelf = await root.PatchAsJsonAsync("/api/v1/users/root", new { role = "viewer" });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listRefused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/users/mallory")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, removeSelf.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, disableSelf.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, demoteSelf.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/users/erin")).StatusCode);
    }

    [Fact]
    public async Task Me_says_who_the_caller_is_and_how_they_signed_in()
    {
        var developer = await SignInAsync("dev", "developer", "read", "trigger");

        var me = (await developer.GetFromJsonAsync<MeView>("/api/v1/me"))!;
        var anonymous = await server.Anonymous.GetAsync("/api/v1/me");

        Assert.Equal(("dev", "developer", "local", "token", "key of dev"), (me.Name, me.Role, me.Source, me.Method, me.TokenName));
        Assert.Equal(["read", "trigger"], me.Scopes!);
        Assert.Empty(me.Groups);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Tokens_show_their_value_once_and_never_again_and_stop_working_when_revoked_expired_or_their_user_is_removed()
    {
        var dev = await SignInAsync("dev", "developer", "read", "trigger");

        var created = await dev.PostAsJsonAsync("/api/v1/tokens", new { name = "deploy", expiresIn = "12h", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<CreatedTokenView>())!;
        Assert.StartsWith(ApiTokens.Prefix, token.Token, StringComparison.Ordinal);
        Assert.Equal(["read"], token.Scopes);
        Assert.NotNull(token.ExpiresAt);
        Assert.InRange(token.ExpiresAt!.Value - token.CreatedAt, TimeSpan.FromHours(12), TimeSpan.FromHours(12));

        var reader = Client(token.Token);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/me")).StatusCode);
        var listed = await dev.GetStringAsync("/api/v1/tokens");
        var byAdmin = await server.Client.GetStringAsync("/api/v1/users/dev/tokens");
        foreach (var text in new[] { listed, byAdmin })
        {
            Assert.Contains("\"deploy\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Token[(ApiTokens.Prefix.Length + ApiTokens.IdLength)..], text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"token\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        }

        // A read-only token makes none, and no token makes one wider than itself.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/v1/tokens", new { name = "more", scopes = new[] { "read" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dev.PostAsJsonAsync("/api/v1/tokens", new { name = "root", scopes = new[] { "admin" } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dev.PostAsJsonAsync("/api/v1/tokens", new { name = "x", expiresIn = "forever" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await dev.PostAsJsonAsync("/api/v1/tokens", new { name = "x", scopes = new[] { "write" } })).StatusCode);

        // Someone else's token is no token at all.
        var other = await SignInAsync("other", "developer", "read", "trigger");
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/tokens/{token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await dev.DeleteAsync($"/api/v1/tokens/{token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.GetAsync("/api/v1/me")).StatusCode);
        var revoked = (await dev.GetFromJsonAsync<Page<TokenView>>("/api/v1/tokens"))!.Items.Single(t => t.Id == token.Id);
        Assert.NotNull(revoked.RevokedAt);

        // A token whose lifetime has passed.
        var user = (await server.Services.GetRequiredService<IUserStore>().GetUserAsync("dev", CancellationToken.None))!;
        var (expiredValue, expired) = ApiTokens.Create(user.Id, "old", TokenScope.Read, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(1));
        await server.Services.GetRequiredService<IApiTokenStore>().CreateApiTokenAsync(expired, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(expiredValue).GetAsync("/api/v1/me")).StatusCode);

        // The admin scope is for admins and maintainers only: not for a user of no role and no grant, even from an admin.
        await AddUserAsync("nobody", "none");
        var refused = await server.Client.PostAsJsonAsync("/api/v1/users/nobody/tokens", new { name = "wide", scopes = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("highest role is none", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // An admin makes and revokes tokens for others; removing the user ends the rest.
        var forDev = await server.Client.PostAsJsonAsync("/api/v1/users/dev/tokens", new { name = "ci", scopes = new[] { "read", "trigger" } });
        Assert.Equal(HttpStatusCode.Created, forDev.StatusCode);
        var ci = (await forDev.Content.ReadFromJsonAsync<CreatedTokenView>())!;
        Assert.Equal(HttpStatusCode.Forbidden, (await dev.PostAsJsonAsync("/api/v1/users/other/tokens", new { name = "theirs" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync($"/api/v1/users/other/tokens/{ci.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(ci.Token).GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/users/dev")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(ci.Token).GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await dev.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Maintainers_manage_the_members_and_teams_of_their_repository_only_and_grant_no_role_above_their_own()
    {
        await AddUserAsync("maya", "viewer");
        await AddUserAsync("carol", "viewer");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PutAsJsonAsync("/api/v1/repos/octo/a/members/maya", new { role = "maintainer" })).StatusCode);
        var maintainer = await TokenForAsync("maya", "read", "trigger", "admin");
        var developerOnly = await TokenForAsync("maya", "read", "trigger");

        var granted = await maintainer.PutAsJsonAsync("/api/v1/repos/OCTO/a/members/CAROL", new { role = "developer" });
        var team = await maintainer.PutAsJsonAsync("/api/v1/repos/octo/a/teams/ci-devs", new { role = "viewer" });
        var above = await maintainer.PutAsJsonAsync("/api/v1/repos/octo/a/members/carol", new { role = "admin" });
        var otherRepository = await maintainer.GetAsync("/api/v1/repos/octo/b/members");
        var missing = await server.Client.GetAsync("/api/v1/repos/octo/nope/members");
        var noUser = await maintainer.PutAsJsonAsync("/api/v1/repos/octo/a/members/ghost", new { role = "viewer" });
        var badRole = await maintainer.PutAsJsonAsync("/api/v1/repos/octo/a/members/carol", new { role = "owner" });

        Assert.True(granted.StatusCode == HttpStatusCode.OK, await granted.Content.ReadAsStringAsync());
        Assert.Equal(new MemberView("carol", "developer"), await granted.Content.ReadFromJsonAsync<MemberView>());
        Assert.Equal(new TeamView("ci-devs", "viewer"), await team.Content.ReadFromJsonAsync<TeamView>());
        Assert.Equal(HttpStatusCode.Forbidden, above.StatusCode);
        Assert.Contains("above your own", await above.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, otherRepository.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noUser.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);

        // Her token without the admin scope holds no more than a developer's role there.
        Assert.Equal(HttpStatusCode.Forbidden, (await developerOnly.GetAsync("/api/v1/repos/octo/a/members")).StatusCode);

        var members = (await maintainer.GetFromJsonAsync<Page<MemberView>>("/api/v1/repos/octo/a/members"))!;
        Assert.Equal([new MemberView("carol", "developer"), new MemberView("maya", "maintainer")], members.Items);
        var teams = (await maintainer.GetFromJsonAsync<Page<TeamView>>("/api/v1/repos/octo/a/teams"))!;
        Assert.Equal([new TeamView("ci-devs", "viewer")], teams.Items);

        // Carol sees octo/a as a developer, so she is told what she lacks rather than that it is not there.
        var carol = await TokenForAsync("carol", "read", "trigger");
        var carolList = await carol.GetAsync("/api/v1/repos/octo/a/members");
        Assert.Equal(HttpStatusCode.Forbidden, carolList.StatusCode);
        Assert.Contains("maintainer", await carolList.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await maintainer.DeleteAsync("/api/v1/repos/octo/a/members/carol")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await maintainer.DeleteAsync("/api/v1/repos/octo/a/members/carol")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await maintainer.DeleteAsync("/api/v1/repos/octo/a/teams/ci-devs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.GetAsync("/api/v1/repos/octo/a/members")).StatusCode);

        // Someone with no global role and no grant does not learn that the repository exists.
        var stranger = await SignInAsync("nina", "none", "read");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/v1/repos/octo/b/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/v1/repos/octo/nope/members")).StatusCode);
    }

    [Fact]
    public async Task Members_and_teams_of_a_repository_with_subgroups_are_managed_through_its_full_name()
    {
        await AddUserAsync("carol", "viewer");

        var granted = await server.Client.PutAsJsonAsync("/api/v1/repos/group/sub/deep/members/carol", new { role = "maintainer" });
        var team = await server.Client.PutAsJsonAsync("/api/v1/repos/group/sub/deep/teams/ops", new { role = "developer" });
        var carol = await TokenForAsync("carol", "read", "trigger", "admin");
        var membersAnswer = await carol.GetAsync("/api/v1/repos/group/sub/deep/members");
        Assert.True(membersAnswer.IsSuccessStatusCode, await membersAnswer.Content.ReadAsStringAsync());
        var members = await membersAnswer.Content.ReadFromJsonAsync<Page<MemberView>>();
        var teams = await carol.GetFromJsonAsync<Page<TeamView>>("/api/v1/repos/group/sub/deep/teams");
        var repository = await server.Client.GetAsync("/api/v1/repos/group/sub/deep");

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, team.StatusCode);
        Assert.Equal([new MemberView("carol", "maintainer")], members!.Items);
        Assert.Equal([new TeamView("ops", "developer")], teams!.Items);
        Assert.Equal(HttpStatusCode.OK, repository.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.DeleteAsync("/api/v1/repos/group/sub/deep/teams/ops")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/repos/group/sub/nope/members")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await carol.PutAsJsonAsync("/api/v1/repos/group/sub/deep/members/carol", new { role = "admin" })).StatusCode);
    }

    [Fact]
    public async Task A_repository_is_made_public_when_added_and_private_again_when_changed()
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/open", forge = "github", cloneUrl = "https://example.invalid/octo/open.git", @public = true });
        var closed = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/open", new { @public = false });

        Assert.True((await added.Content.ReadFromJsonAsync<RepositoryView>())!.Public);
        Assert.False((await closed.Content.ReadFromJsonAsync<RepositoryView>())!.Public);
        Assert.False((await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/a"))!.Public);
    }

    [Fact]
    public async Task Every_user_grant_and_token_change_is_in_the_audit_log_with_who_made_it_and_never_a_token_value()
    {
        await AddUserAsync("maya", "viewer");
        await server.Client.PatchAsJsonAsync("/api/v1/users/maya", new { role = "developer" });
        await server.Client.PutAsJsonAsync("/api/v1/repos/octo/a/members/maya", new { role = "maintainer" });
        var maya = await TokenForAsync("maya", "read", "trigger", "admin");
        await maya.PutAsJsonAsync("/api/v1/repos/octo/a/members/maya", new { role = "admin" });
        await maya.PutAsJsonAsync("/api/v1/repos/octo/a/teams/ops", new { role = "developer" });
        await maya.DeleteAsync("/api/v1/repos/octo/a/teams/ops");
        var own = (await (await maya.PostAsJsonAsync("/api/v1/tokens", new { name = "own", scopes = new[] { "read" } })).Content.ReadFromJsonAsync<CreatedTokenView>())!;
        await maya.DeleteAsync($"/api/v1/tokens/{own.Id}");
        await server.Client.DeleteAsync("/api/v1/users/maya");

        var text = await server.Client.GetStringAsync("/api/v1/audit?limit=100");
        var entries = System.Text.Json.JsonSerializer.Deserialize<Page<AuditView>>(text, System.Text.Json.JsonSerializerOptions.Web)!.Items
            .Where(e => e.Action.StartsWith("user.", StringComparison.Ordinal) || e.Action.StartsWith("member.", StringComparison.Ordinal)
                || e.Action.StartsWith("team.", StringComparison.Ordinal) || e.Action.StartsWith("token.", StringComparison.Ordinal))
            .Reverse()
            .Select(e => $"{e.Actor} {e.Action} {e.Repository ?? "-"} {e.Outcome}")
            .ToList();

        Assert.Equal(
            [
                "admin user.added - ok",
                "admin user.changed - ok",
                "admin member.granted octo/a ok",
                "admin token.created - ok",
                "maya member.granted octo/a denied",
                "maya team.granted octo/a ok",
                "maya team.removed octo/a ok",
                "maya token.created - ok",
                "maya token.revoked - ok",
                "admin user.removed - ok",
            ],
            entries);
        Assert.DoesNotContain(own.Token, text, StringComparison.Ordinal);
    }

    private async Task AddUserAsync(string name, string role)
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/users", new { name, role });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
    }

    /// <summary>Adds a user of <paramref name="role"/> and answers a client that carries a token of theirs.</summary>
    private async Task<HttpClient> SignInAsync(string name, string role, params string[] scopes)
    {
        await AddUserAsync(name, role);
        return await TokenForAsync(name, scopes);
    }

    private async Task<HttpClient> TokenForAsync(string name, params string[] scopes)
    {
        var made = await server.Client.PostAsJsonAsync(
            $"/api/v1/users/{name}/tokens", new { name = $"key of {name}", scopes = scopes.Length == 0 ? ["read", "trigger"] : scopes });
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());
        return Client((await made.Content.ReadFromJsonAsync<CreatedTokenView>())!.Token);
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        clients.Add(client);
        return client;
    }
}
