using System.Globalization;
using System.Net.Http.Json;
using Cairn.Core.Forges;
using Cairn.Server.Api;
using Cairn.Server.Services;
using Cairn.Server.Webhooks;
using Cairn.Storage;
using Cairn.Storage.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>Two server replicas sharing one PostgreSQL: a delivery to either runs once, statuses arrive, a cron tick
/// fires once, and a cancel given to one stops a job the other may be running.</summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private const string Secret = "replica-secret";
    private readonly TempDirectory first = new();
    private readonly TempDirectory second = new();
    private readonly GitRepository repo = new();
    private PostgresTestDatabase database = null!;
    private ForgeApi forge = null!;
    private ServerHarness a = null!;
    private ServerHarness b = null!;

    public async ValueTask InitializeAsync()
    {
        database = await PostgresTestDatabase.CreateAsync();
        if (database.ConnectionString is not { } connection)
        {
            return;
        }

        forge = await ForgeApi.StartAsync();
        a = await ServerHarness.StartAsync(first.Path, c => { c["Store"] = "postgres"; c["Connection"] = connection; });

        // Replicas share the master key (sealed secrets) and the admin token; each has its own mirrors and workspaces.
        File.Copy(Path.Combine(first.Path, "master.key"), Path.Combine(second.Path, "master.key"));
        File.Copy(Path.Combine(first.Path, "admin.token"), Path.Combine(second.Path, "admin.token"));
        b = await ServerHarness.StartAsync(second.Path, c => { c["Store"] = "postgres"; c["Connection"] = connection; });
        await a.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
    }

    public async ValueTask DisposeAsync()
    {
        if (b is not null)
        {
            await b.DisposeAsync();
        }

        if (a is not null)
        {
            await a.DisposeAsync();
            await forge.DisposeAsync();
        }

        await database.DisposeAsync();
        repo.Dispose();
        first.Dispose();
        second.Dispose();
    }

    [PostgresFact]
    public async Task A_push_to_either_replica_runs_once_and_reports_success()
    {
        var sha = repo.Commit("name: ci\non: { push: {} }\njobs:\n  a:\n    steps: [{ run: echo one }]\n  b:\n    needs: [a]\n    steps: [{ run: echo two }]\n");
        var payload = Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha);

        var toB = await b.Anonymous.SendAsync(Deliveries.GitHub("push", payload, Secret, delivery: "same"));
        var toA = await a.Anonymous.SendAsync(Deliveries.GitHub("push", payload, Secret, delivery: "same"));

        var answer = (await toB.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        Assert.True((await toA.Content.ReadFromJsonAsync<WebhookAnswer>())!.Duplicate);
        var entry = await a.WaitForEventAsync(answer.EventId!.Value);
        var run = await a.WaitForRunAsync(entry.RunId!.Value);
        Assert.Equal("succeeded", run.Status);
        Assert.Single(await b.ListRunsAsync());
        await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "success") && s.Any(x => x.Context == "cairn/ci/b" && x.State == "success"));
    }

    [PostgresFact]
    public async Task Each_change_is_queued_as_a_status_once_though_both_replicas_read_the_feed()
    {
        var sha = repo.Commit("name: ci\non: { push: {} }\njobs:\n  a:\n    steps: [{ run: echo one }]\n  b:\n    needs: [a]\n    steps: [{ run: echo two }]\n");
        var answer = (await (await a.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret)))
            .Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var run = await a.WaitForRunAsync((await a.WaitForEventAsync(answer.EventId!.Value)).RunId!.Value);
        Assert.Equal("succeeded", run.Status);
        var store = a.Services.GetRequiredService<ICairnStore>();
        var changes = (await store.ReadChangesAsync(0, run.Id, 1_000, CancellationToken.None)).Count;

        // Every change of the run (its own and its jobs') makes one status. Wait until the feed's position is past the
        // last change and every status queued for the commit is delivered.
        await Eventually.TrueAsync(
            async () => long.Parse(await store.GetSettingAsync(StatusProjector.CursorKey, CancellationToken.None) ?? "0", CultureInfo.InvariantCulture)
                    >= (await store.ReadChangesAsync(0, null, 1_000, CancellationToken.None))[^1].Id
                && await store.ListStatusesAsync("octo/app", sha, CancellationToken.None) is { } queued
                && queued.Count >= changes && queued.All(e => e.State == OutboxState.Delivered),
            "the run's changes to be projected and delivered",
            TimeSpan.FromSeconds(30));

        Assert.Equal(changes, (await store.ListStatusesAsync("octo/app", sha, CancellationToken.None)).Count);
        Assert.Equal(changes, forge.Statuses.Count(x => x.Path.Contains(sha, StringComparison.Ordinal)));
        Assert.Contains(forge.Statuses, x => x.Context == "cairn/ci" && x.State == "success");
    }

    [PostgresFact]
    public async Task A_due_cron_tick_fires_once_across_replicas()
    {
        repo.Commit("name: nightly\non: { schedule: [{ cron: \"0 3 * * *\" }] }\njobs:\n  a:\n    steps: [{ run: echo tick }]\n");
        var store = a.Services.GetRequiredService<ICairnStore>();
        await b.Client.DeleteAsync("/api/v1/repos/octo/app");
        await b.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
        await Eventually.TrueAsync(async () => (await store.ListSchedulesAsync(CancellationToken.None)).Count > 0, "the schedule to be registered", TimeSpan.FromSeconds(30));

        var schedule = Assert.Single(await store.ListSchedulesAsync(CancellationToken.None));
        Assert.True(await store.TryAdvanceScheduleAsync(schedule.Id, schedule.NextFireAt, DateTimeOffset.UtcNow.AddDays(-3), CancellationToken.None));

        await Eventually.TrueAsync(async () => (await a.ListRunsAsync()).Count > 0, "the due tick to start a run", TimeSpan.FromSeconds(30));

        // Both replicas look again, each after any look it had under way when the tick fired, and whatever they
        // journaled is planned: a second fire of the same tick would show as a second run.
        await Task.WhenAll(a.LookForDueSchedulesAsync(), b.LookForDueSchedulesAsync());
        await a.WaitForPlanningAsync();
        var runs = await a.ListRunsAsync();
        Assert.Single(runs);
        Assert.Equal("schedule", runs[0].Event);
    }

    [PostgresFact]
    public async Task A_cancel_given_to_one_replica_stops_the_job_wherever_it_runs()
    {
        repo.Commit("name: slow\non: { manual: {} }\njobs:\n  wait:\n    steps: [{ run: sleep 300 }]\n");
        var run = (await (await a.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        await Eventually.TrueAsync(async () => (await a.GetRunAsync(run.Id)).Jobs![0].Status == "running", "the job to be running", TimeSpan.FromSeconds(60));

        await b.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
        var ended = await a.WaitForRunAsync(run.Id);

        Assert.Equal("cancelled", ended.Status);
        // The step sleeps for five minutes; the run's end within the wait above means it was stopped.
        Assert.Equal("cancelled", ended.Jobs![0].Status);
    }

    [PostgresFact]
    public async Task A_job_running_on_one_replica_is_followed_live_from_both()
    {
        var release = first.Combine("release");
        repo.Commit($$"""
            name: live
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: |
                      for i in 1 2 3; do echo "line $i"; done
                      while [ ! -f '{{release}}' ]; do sleep 0.05; done
                      for i in 4 5 6; do echo "line $i"; done
            """);
        var run = (await (await a.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        var path = $"/api/v1/runs/{run.Id}/jobs/{run.Jobs![0].Id}/log/stream";

        // Only one replica runs the job; the other hears of its lines and its end through PostgreSQL alone.
        await using var fromA = await SseStream.OpenAsync(a.Client, path);
        await using var fromB = await SseStream.OpenAsync(b.Client, path);
        await using var eventsFromB = await SseStream.OpenAsync(b.Client, $"/api/v1/runs/{run.Id}/events");
        var heldA = await fromA.ReadUntilAsync(e => e.Type == "message" && e.Json.GetProperty("text").GetString() == "line 3");
        var heldB = await fromB.ReadUntilAsync(e => e.Type == "message" && e.Json.GetProperty("text").GetString() == "line 3");
        await File.WriteAllTextAsync(release, "");
        var restA = await fromA.ReadUntilAsync(e => e.Type == "end");
        var restB = await fromB.ReadUntilAsync(e => e.Type == "end");
        var events = await eventsFromB.ReadUntilAsync(e => e.Type == "end");

        var texts = new[] { heldA.Concat(restA), heldB.Concat(restB) }
            .Select(stream => stream.Where(e => e.Type == "message").Select(e => e.Json.GetProperty("text").GetString()!).Where(t => t.StartsWith("line", StringComparison.Ordinal)))
            .ToList();
        Assert.All(texts, t => Assert.Equal(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"], t));
        Assert.Equal("succeeded", restB[^1].Json.GetProperty("status").GetString());
        Assert.Equal("succeeded", events[^1].Json.GetProperty("status").GetString());
    }
}
