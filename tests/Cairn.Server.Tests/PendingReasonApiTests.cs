using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>Every job of a run that is neither running nor ended says why, as <c>pendingReason</c> in the API.</summary>
public sealed class PendingReasonApiTests : IAsyncLifetime
{
    private const string Runners = """
        default: small
        runners:
          small: { executor: shell }
          large: { executor: shell, labels: [linux, big] }
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path, runners: Runners);
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
    public async Task Jobs_that_wait_say_for_which_needs_or_for_which_worker_and_running_ones_say_nothing()
    {
        repo.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              slow:
                steps: [{ run: sleep 300 }]
              after:
                needs: [slow]
                steps: [{ run: echo after }]
              huge:
                runner: large
                steps: [{ run: echo never }]
            """);
        var run = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        await Eventually.TrueAsync(
            async () => (await server.GetRunAsync(run.Id)).Jobs!.Any(j => j.Name == "slow" && j.Status == "running"),
            "job slow to run", TimeSpan.FromSeconds(60));

        using var body = JsonDocument.Parse(await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}"));
        var jobs = body.RootElement.GetProperty("jobs").EnumerateArray().ToDictionary(j => j.GetProperty("name").GetString()!);

        Assert.Equal(JsonValueKind.Null, jobs["slow"].GetProperty("pendingReason").ValueKind);
        Assert.Equal("needs", jobs["after"].GetProperty("pendingReason").GetProperty("kind").GetString());
        Assert.Equal("waiting for slow", jobs["after"].GetProperty("pendingReason").GetProperty("text").GetString());
        Assert.Equal("queued", jobs["huge"].GetProperty("status").GetString());
        Assert.Equal("worker", jobs["huge"].GetProperty("pendingReason").GetProperty("kind").GetString());
        Assert.Equal("queued: waiting for a worker with labels [linux, big]; no worker of this server has them",
            jobs["huge"].GetProperty("pendingReason").GetProperty("text").GetString());

        await server.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
        Assert.All((await server.WaitForRunAsync(run.Id)).Jobs!, j => Assert.Null(j.PendingReason));
    }
}
