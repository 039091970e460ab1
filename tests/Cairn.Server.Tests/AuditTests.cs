using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>The audit log records every change with who made it (user and token), what it was done to, from where and
/// how it ended; it is filtered by actor, action and repository; a maintainer reads only their repositories' part of it;
/// and nothing edits or removes it.</summary>
public sealed class AuditTests : IAsyncLifetime
{
    private const string Pipeline = """
        name: ci
        on: { manual: {} }
        jobs:
          build:
            steps: [{ run: 'true' }]
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private readonly GitRepository other = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;
    private HttpClient maria = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        repo.Commit(Pipeline);
        other.Commit(Pipeline);

        // A second person, a viewer everywhere and maintainer of octo/app only, with an API token of their own (made through the stores: the
        // people API is not what this tests).
        var services = server.Services;
        var user = (await services.GetRequiredService<IUserStore>().CreateUserAsync(
            new NewUser("maria", null, Role.Viewer, UserSource.Local, DateTimeOffset.UtcNow), CancellationToken.None))!;
        var (value, token) = ApiTokens.Create(user.Id, "laptop", TokenScope.Admin, DateTimeOffset.UtcNow, null);
        await services.GetRequiredService<IApiTokenStore>().CreateApiTokenAsync(token, CancellationToken.None);
        maria = new HttpClient { BaseAddress = new Uri(server.Url) };
        maria.DefaultRequestHeaders.Authorization = new("Bearer", value);

        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
        await server.AddRepositoryAsync("octo/other", "github", other.CloneUrl, forge.Url, "s");
        Assert.True(await services.GetRequiredService<IMemberStore>().SetMemberAsync("octo/app", "maria", Role.Maintainer, CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        maria.Dispose();
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        other.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task Every_change_through_the_api_is_recorded_with_its_actor_token_target_address_and_outcome()
    {
        // The admin: a repository's settings changed, a global secret set and removed, one removed that is not there.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/other", new { forkPullRequests = "run" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsJsonAsync("/api/v1/secrets/SHARED", new { value = "shared-value-9b1e" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/secrets/SHARED")).StatusCode);

        // Maria, with her token, on her repository: a secret set, a run triggered, cancelled once ended, run again.
        Assert.Equal(HttpStatusCode.Created, (await maria.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/DEPLOY", new { value = "deploy-value-3c7d" })).StatusCode);
        var triggered = await maria.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.Equal(HttpStatusCode.Created, triggered.StatusCode);
        var run = (await triggered.Content.ReadFromJsonAsync<RunView>())!;
        await server.WaitForRunAsync(run.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await maria.PostAsync($"/api/v1/runs/{run.Id}/cancel", null)).StatusCode);
        var rerun = await maria.PostAsync($"/api/v1/runs/{run.Id}/rerun", null);
        Assert.Equal(HttpStatusCode.Created, rerun.StatusCode);
        var again = (await rerun.Content.ReadFromJsonAsync<RunView>())!;
        var missingBranch = await maria.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "no-such-branch" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missingBranch.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/repos/octo/other")).StatusCode);

        var all = await ReadAsync(server.Client, "");
        string Line(AuditView e) => $"{e.Actor}|{e.TokenName}|{e.Action}|{e.Repository}|{e.Secret ?? e.Target}|{e.Outcome}";
        Assert.Equal(
            [
                "admin|admin token|repo.removed|octo/other||ok",
                "maria|laptop|run.triggered|octo/app||failed",
                $"maria|laptop|run.rerun|octo/app|run {again.Id}|ok",
                $"maria|laptop|run.cancelled|octo/app|run {run.Id}|failed",
                $"maria|laptop|run.triggered|octo/app|run {run.Id}|ok",
                "maria|laptop|created|octo/app|DEPLOY|ok",
                "admin|admin token|deleted||SHARED|ok",
                "admin|admin token|created||SHARED|ok",
                "admin|admin token|repo.changed|octo/other||ok",
                "admin|admin token|repo.added|octo/other||ok",
                "admin|admin token|repo.added|octo/app||ok",
            ],
            all.Select(Line));
        Assert.All(all, e => Assert.Equal("127.0.0.1", e.ClientAddress));
        Assert.Contains("no-such-branch", all[1].Detail, StringComparison.Ordinal);
        Assert.Equal($"run {run.Id}", all[2].Detail);
        Assert.Contains("already ended", all[3].Detail, StringComparison.Ordinal);
        Assert.Equal("forkPullRequests=run", all[8].Detail);
        Assert.Equal((run.Id, again.Id), (all[3].RunId, all[2].RunId));
        var text = await server.Client.GetStringAsync("/api/v1/audit");
        Assert.DoesNotContain("shared-value-9b1e", text, StringComparison.Ordinal);
        Assert.DoesNotContain("deploy-value-3c7d", text, StringComparison.Ordinal);

        // The filters: an actor (ignoring case), an action, a repository, together, and pages of them.
        Assert.Equal(5, (await ReadAsync(server.Client, "?actor=MARIA")).Count);
        Assert.Equal(["octo/other", "octo/app"], (await ReadAsync(server.Client, "?action=repo.added")).Select(e => e.Repository));
        Assert.Equal(["failed", "ok"], (await ReadAsync(server.Client, "?action=run.triggered")).Select(e => e.Outcome));
        Assert.Equal(["repo.removed", "repo.changed", "repo.added"], (await ReadAsync(server.Client, "?repo=OCTO/other")).Select(e => e.Action));
        Assert.Equal([null, run.Id], (await ReadAsync(server.Client, "?actor=maria&action=run.triggered&repo=octo/app")).Select(e => e.RunId));
        var first = (await server.Client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit?actor=maria&limit=2"))!;
        var second = (await server.Client.GetFromJsonAsync<Page<AuditView>>($"/api/v1/audit?actor=maria&limit=2&cursor={first.Next}"))!;
        Assert.Equal(all.Where(e => e.Actor == "maria").Skip(2).Take(2).Select(e => e.Id), second.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task A_maintainer_reads_only_their_repositorys_entries_and_someone_not_signed_in_none()
    {
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsJsonAsync("/api/v1/secrets/SHARED", new { value = "v-1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsJsonAsync("/api/v1/repos/octo/other/secrets/OTHER", new { value = "v-2" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PutAsJsonAsync("/api/v1/repos/octo/app/secrets/MINE", new { value = "v-3" })).StatusCode);

        var seen = await ReadAsync(maria, "");
        var otherRepository = await ReadAsync(maria, "?repo=octo/other");
        var anonymous = await server.Anonymous.GetAsync("/api/v1/audit");

        Assert.Equal(["MINE", null], seen.Select(e => e.Secret));
        Assert.Equal(["created", "repo.added"], seen.Select(e => e.Action));
        Assert.All(seen, e => Assert.Equal("octo/app", e.Repository));
        Assert.Empty(otherRepository);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(5, (await ReadAsync(server.Client, "")).Count);

        // A developer reads none of it.
        Assert.True(await server.Services.GetRequiredService<IMemberStore>().SetMemberAsync("octo/app", "maria", Role.Developer, CancellationToken.None));
        Assert.Empty(await ReadAsync(maria, ""));
    }

    [Fact]
    public async Task Nothing_edits_or_removes_the_audit_log()
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/v1/audit") { Content = JsonContent.Create(new { actor = "nobody" }) };
        using var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/audit") { Content = JsonContent.Create(new { actor = "nobody" }) };
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/audit");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/audit") { Content = JsonContent.Create(new { actor = "nobody" }) };

        foreach (var request in new[] { put, patch, delete, post })
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await server.Client.SendAsync(request)).StatusCode);
        }

        Assert.Equal(2, (await ReadAsync(server.Client, "")).Count);
    }

    private static async Task<IReadOnlyList<AuditView>> ReadAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit" + query))!.Items;
}
