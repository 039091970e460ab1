using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Core.Workers;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Workers;

/// <summary>The worker registry through the API: an admin adds, lists, pauses, resumes and removes workers; no one else
/// may; a worker's token is shown once and never again, in a list or in the audit log.</summary>
public sealed class WorkersApiTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly List<HttpClient> clients = [];
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await ServerHarness.StartAsync(data.Path);
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/a", forge = "github", cloneUrl = "https://example.invalid/octo/a.git" });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
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
    public async Task An_admin_adds_a_worker_and_gets_its_token_once_and_bad_or_taken_names_are_refused()
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "build-1", labels = new[] { "linux", "big", "linux" } });
        var taken = await server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "build-1", labels = Array.Empty<string>() });
        var upper = await server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "Build-1" });
        var bad = await server.Client.PostAsJsonAsync("/api/v1/workers", new { name = "a/b", labels = new[] { "has space" } });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("/api/v1/workers/build-1", added.Headers.Location?.OriginalString);
        var created = (await added.Content.ReadFromJsonAsync<CreatedWorkerView>())!;
        Assert.Equal("build-1", created.Name);
        Assert.Equal(["linux", "big"], created.Labels);
        Assert.True(WorkerTokens.TryParse(created.Token, out var tokenId, out var secret));
        var stored = await server.Services.GetRequiredService<IWorkerStore>().GetWorkerByTokenIdAsync(tokenId, TestContext.Current.CancellationToken);
        Assert.True(WorkerTokens.Matches(secret, stored!));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, upper.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("name:", problem, StringComparison.Ordinal);
        Assert.Contains("labels:", problem, StringComparison.Ordinal);

        var list = await server.Client.GetStringAsync("/api/v1/workers");
        Assert.DoesNotContain(created.Token, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(tokenId, list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_shows_each_workers_state_and_pause_resume_and_remove_change_it()
    {
        var store = server.Services.GetRequiredService<IWorkerStore>();
        var now = server.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var ct = TestContext.Current.CancellationToken;
        await AddAsync("arm-1", "arm");
        await AddAsync("build-1", "linux");
        await AddAsync("idle");
        var arm = await store.GetWorkerAsync("arm-1", ct);
        var build = await store.GetWorkerAsync("build-1", ct);
        await store.TouchWorkerAsync(arm!.Id, now - TimeSpan.FromMinutes(5), "0.9.0", "10.0.0.9", ct);
        await store.TouchWorkerAsync(build!.Id, now, "1.0.0", "10.0.0.7", ct);

        var listed = (await server.Client.GetFromJsonAsync<List<WorkerView>>("/api/v1/workers", ct))!;

        Assert.Equal(["arm-1", "build-1", "idle"], listed.Select(w => w.Name));
        Assert.Equal((false, "0.9.0", "10.0.0.9"), (listed[0].Connected, listed[0].Version, listed[0].Address));
        Assert.Equal((true, "1.0.0", 0, false), (listed[1].Connected, listed[1].Version, listed[1].RunningJobs, listed[1].Paused));
        Assert.Equal((false, null, null), (listed[2].Connected, listed[2].LastSeenAt, listed[2].Version));
        Assert.Equal(["linux"], listed[1].Labels);
        Assert.Equal("admin", listed[1].CreatedBy);

        var paused = await server.Client.PostAsync("/api/v1/workers/build-1/pause", null, ct);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await paused.Content.ReadFromJsonAsync<WorkerView>(ct))!.Paused);
        Assert.True((await store.GetWorkerAsync("build-1", ct))!.Paused);
        var resumed = await server.Client.PostAsync("/api/v1/workers/build-1/resume", null, ct);
        Assert.False((await resumed.Content.ReadFromJsonAsync<WorkerView>(ct))!.Paused);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/api/v1/workers/nobody/pause", null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/api/v1/workers/nobody/resume", null, ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/workers/arm-1", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync("/api/v1/workers/arm-1", ct)).StatusCode);
        Assert.Null(await store.GetWorkerByTokenIdAsync(arm.TokenId, ct));
        Assert.Equal(["build-1", "idle"], (await server.Client.GetFromJsonAsync<List<WorkerView>>("/api/v1/workers", ct))!.Select(w => w.Name));
    }

    [Theory]
    [InlineData("maintainer")]
    [InlineData("developer")]
    [InlineData("viewer")]
    [InlineData(null)]
    public async Task No_one_but_an_admin_may_add_list_pause_resume_or_remove_workers(string? role)
    {
        await AddAsync("build-1");
        var client = role is null ? server.Anonymous : await SignInAsync($"user-{role}", role);
        var refused = role is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;

        Assert.Equal(refused, (await client.PostAsJsonAsync("/api/v1/workers", new { name = "mine" })).StatusCode);
        Assert.Equal(refused, (await client.GetAsync("/api/v1/workers")).StatusCode);
        Assert.Equal(refused, (await client.PostAsync("/api/v1/workers/build-1/pause", null)).StatusCode);
        Assert.Equal(refused, (await client.PostAsync("/api/v1/workers/build-1/resume", null)).StatusCode);
        Assert.Equal(refused, (await client.DeleteAsync("/api/v1/workers/build-1")).StatusCode);

        var listed = (await server.Client.GetFromJsonAsync<List<WorkerView>>("/api/v1/workers"))!;
        Assert.Equal([("build-1", false)], listed.Select(w => (w.Name, w.Paused)));
    }

    [Fact]
    public async Task Every_worker_change_is_in_the_audit_log_with_who_made_it_and_never_the_token()
    {
        var token = await AddAsync("build-1", "linux");
        await server.Client.PostAsync("/api/v1/workers/build-1/pause", null);
        await server.Client.PostAsync("/api/v1/workers/build-1/resume", null);
        await server.Client.DeleteAsync("/api/v1/workers/build-1");

        var text = await server.Client.GetStringAsync("/api/v1/audit?limit=100");
        var entries = JsonSerializer.Deserialize<Page<AuditView>>(text, JsonSerializerOptions.Web)!.Items
            .Where(e => e.Action.StartsWith("worker.", StringComparison.Ordinal))
            .Reverse()
            .Select(e => $"{e.Actor} {e.Action} {e.Target} {e.Outcome}")
            .ToList();

        Assert.Equal(
            ["admin worker.add build-1 ok", "admin worker.pause build-1 ok", "admin worker.resume build-1 ok", "admin worker.remove build-1 ok"],
            entries);
        Assert.True(WorkerTokens.TryParse(token, out _, out var secret));
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    private async Task<string> AddAsync(string name, params string[] labels)
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/workers", new { name, labels });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        return (await added.Content.ReadFromJsonAsync<CreatedWorkerView>())!.Token;
    }

    private async Task<HttpClient> SignInAsync(string name, string role)
    {
        var user = await server.Client.PostAsJsonAsync("/api/v1/users", new { name, role });
        Assert.True(user.IsSuccessStatusCode, await user.Content.ReadAsStringAsync());
        var made = await server.Client.PostAsJsonAsync($"/api/v1/users/{name}/tokens", new { name = $"key of {name}", scopes = role is "maintainer" ? new[] { "read", "trigger", "admin" } : ["read", "trigger"] });
        Assert.True(made.IsSuccessStatusCode, await made.Content.ReadAsStringAsync());
        var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await made.Content.ReadFromJsonAsync<CreatedTokenView>())!.Token);
        clients.Add(client);
        return client;
    }
}
