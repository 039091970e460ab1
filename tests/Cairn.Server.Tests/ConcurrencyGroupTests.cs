using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>Runs of one concurrency group run one at a time: a newer run is held, says behind which run, and starts when
/// that run ends.</summary>
public sealed class ConcurrencyGroupTests : IAsyncLifetime
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
    public async Task A_second_run_of_the_group_waits_behind_the_first_saying_so_and_starts_when_it_ends()
    {
        var gate = Path.Combine(data.Path, "gate");
        repo.Commit($$"""
            name: deploy
            on: { manual: {} }
            concurrency: deploy
            jobs:
              deploy:
                steps: [{ run: "while [ ! -f '{{gate}}' ]; do sleep 0.1; done" }]
              announce:
                needs: [deploy]
                steps: [{ run: echo deployed }]
            """);
        var first = await TriggerAsync();
        await Eventually.TrueAsync(
            async () => (await server.GetRunAsync(first.Id)).Jobs!.Any(j => j is { Name: "deploy", Status: "running" }),
            "the first run's deploy job to run", TimeSpan.FromSeconds(60));

        var second = await TriggerAsync();

        var held = await server.GetRunAsync(second.Id);
        Assert.Equal(("waiting", (long?)first.Id), (held.Status, held.WaitingBehind));
        var reason = $"waiting behind run #{first.Number} in concurrency group 'deploy'";
        Assert.Equal(reason, held.PendingReason);
        Assert.All(held.Jobs!, j => Assert.Equal(("waiting", "concurrency", reason), (j.Status, j.PendingReason?.Kind, j.PendingReason?.Text)));
        var approve = await server.Client.PostAsync($"/api/v1/runs/{second.Id}/approve", null);
        Assert.False(approve.IsSuccessStatusCode);
        // The run's status and its jobs' are sent one by one, in no promised order: wait for both.
        var statuses = await forge.WaitForAsync(all =>
            all.Any(x => x.Context == "cairn/deploy" && x.Description == $"run #{second.Number} is {reason}")
            && all.Any(x => x is { Context: "cairn/deploy/deploy", State: "pending" } && x.Description == reason));
        Assert.Equal("pending", statuses.First(x => x.Context == "cairn/deploy" && x.Description.EndsWith(reason, StringComparison.Ordinal)).State);
        Assert.Contains(statuses, x => x is { Context: "cairn/deploy/deploy", State: "pending" } && x.Description == reason);

        await File.WriteAllTextAsync(gate, "");

        Assert.Equal("succeeded", (await server.WaitForRunAsync(first.Id)).Status);
        var after = await Eventually.ValueAsync(
            () => server.GetRunAsync(second.Id), run => run.Status is "succeeded" or "failed" or "cancelled", "the second run to end", TimeSpan.FromSeconds(90));
        Assert.Equal(("succeeded", (long?)null, (string?)null), (after.Status, after.WaitingBehind, after.PendingReason));
        Assert.True(after.StartedAt >= (await server.GetRunAsync(first.Id)).FinishedAt);
    }

    [Fact]
    public async Task A_run_that_cancels_in_progress_cancels_the_running_run_and_the_held_ones_and_starts_at_once()
    {
        const string Jobs = """
            jobs:
              deploy:
                steps: [{ run: sleep 300 }]
            """;
        repo.Commit("name: deploy\non: { manual: {} }\nconcurrency: deploy\n" + Jobs);
        var running = await TriggerAsync();
        var held = await TriggerAsync();
        Assert.Equal(("running", "waiting", (long?)running.Id), (running.Status, held.Status, held.WaitingBehind));
        repo.Commit("name: deploy\non: { manual: {} }\nconcurrency: { group: deploy, cancel-in-progress: true }\n" + Jobs);

        var newest = await TriggerAsync();

        Assert.Equal("running", newest.Status);
        var reason = $"superseded by run #{newest.Number} in concurrency group 'deploy'";
        foreach (var older in new[] { running, held })
        {
            var ended = await Eventually.ValueAsync(
                () => server.GetRunAsync(older.Id), run => run.Status == "cancelled", $"run {older.Id} to be cancelled", TimeSpan.FromSeconds(60));
            Assert.Equal(reason, ended.CancelReason);
            Assert.All(ended.Jobs!, j => Assert.Equal(("cancelled", reason), (j.Status, j.FailureDetail)));
        }

        Assert.Equal("running", (await server.GetRunAsync(newest.Id)).Status);
        await server.Client.PostAsync($"/api/v1/runs/{newest.Id}/cancel", null);
        await server.WaitForRunAsync(newest.Id);
    }

    private async Task<RunView> TriggerAsync() =>
        (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
}
