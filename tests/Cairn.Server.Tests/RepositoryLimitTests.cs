using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>A repository's limit of running jobs: set, changed and removed through the API, audited, and a queued job it
/// holds back says so in the run's view.</summary>
public sealed class RepositoryLimitTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task The_limit_is_set_kept_removed_and_audited_and_a_negative_one_is_a_400()
    {
        var shown = await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/app");
        var set = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { maxRunningJobs = 4 });
        var other = await server.Client.PatchAsJsonAsync("/api/v1/repos/OCTO/app", new { forkPullRequests = "run" });
        var negative = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { maxRunningJobs = -1 });
        var kept = await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/app");
        var removed = await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { maxRunningJobs = 0 });

        Assert.Null(shown!.MaxRunningJobs);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(4, (await set.Content.ReadFromJsonAsync<RepositoryView>())!.MaxRunningJobs);
        Assert.Equal(4, (await other.Content.ReadFromJsonAsync<RepositoryView>())!.MaxRunningJobs);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal("application/problem+json", negative.Content.Headers.ContentType?.MediaType);
        Assert.Contains("maxRunningJobs: -1 is below zero", await negative.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((4, "run"), (kept!.MaxRunningJobs, kept.ForkPullRequests));
        Assert.Null((await removed.Content.ReadFromJsonAsync<RepositoryView>())!.MaxRunningJobs);
        Assert.Null((await server.Client.GetFromJsonAsync<RepositoryView>("/api/v1/repos/octo/app"))!.MaxRunningJobs);

        var audit = (await server.Client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit"))!.Items;
        Assert.Contains(audit, e => e is { Action: "repo.changed", Detail: "maxRunningJobs=4" });
        Assert.Contains(audit, e => e is { Action: "repo.changed", Detail: "maxRunningJobs=0" });
    }

    [Fact]
    public async Task A_queued_job_over_the_limit_waits_saying_so_and_runs_when_a_place_is_free()
    {
        var gate = Path.Combine(data.Path, "gate");
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              first:
                steps: [{ run: "while [ ! -f '{{gate}}' ]; do sleep 0.1; done" }]
              second:
                priority: low
                steps: [{ run: "while [ ! -f '{{gate}}' ]; do sleep 0.1; done" }]
            """);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { maxRunningJobs = 1 })).StatusCode);

        var run = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        var held = await Eventually.ValueAsync(
            () => server.GetRunAsync(run.Id),
            view => view.Jobs!.Any(j => j is { Name: "first", Status: "running" }) && view.Jobs!.Any(j => j is { Name: "second", Status: "queued" }),
            "the first job to run and the second to be queued", TimeSpan.FromSeconds(60));

        var second = held.Jobs!.Single(j => j.Name == "second");
        Assert.Equal(("queued", "limit", "repository limit (1/1 running)"), (second.Status, second.PendingReason?.Kind, second.PendingReason?.Text));

        await File.WriteAllTextAsync(gate, "", TestContext.Current.CancellationToken);
        var ended = await server.WaitForRunAsync(run.Id);
        Assert.Equal("succeeded", ended.Status);
        Assert.All(ended.Jobs!, j => Assert.Null(j.PendingReason));
    }
}
