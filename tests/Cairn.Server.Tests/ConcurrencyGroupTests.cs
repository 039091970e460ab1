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

        await File.WriteAllTextAsync(gate, "");

        Assert.Equal("succeeded", (await server.WaitForRunAsync(first.Id)).Status);
        var after = await Eventually.ValueAsync(
            () => server.GetRunAsync(second.Id), run => run.Status is "succeeded" or "failed" or "cancelled", "the second run to end", TimeSpan.FromSeconds(90));
        Assert.Equal(("succeeded", (long?)null, (string?)null), (after.Status, after.WaitingBehind, after.PendingReason));
        Assert.True(after.StartedAt >= (await server.GetRunAsync(first.Id)).FinishedAt);
    }

    private async Task<RunView> TriggerAsync() =>
        (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
}
