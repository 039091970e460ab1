using System.Net.Http.Json;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>A forge that errs, throttles, dawdles or is down never slows a job, and statuses still arrive in order.</summary>
public sealed class StatusDeliveryTests : IAsyncDisposable
{
    private const string Secret = "s3cret";
    private const string Pipeline = """
        name: ci
        on: { push: { branches: [main] } }
        jobs:
          build:
            steps: [{ run: echo built }]
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();

    [Fact]
    public async Task Statuses_survive_500s_a_429_and_a_slow_answer_and_arrive_in_order()
    {
        await using var forge = await ForgeApi.StartAsync();
        await using var server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
        forge.AnswerNext(500);
        forge.AnswerNext(500);
        forge.AnswerNext(429);
        forge.AnswerNext(201, delay: TimeSpan.FromSeconds(4));
        forge.AnswerNext(503);
        var sha = repo.Commit(Pipeline);

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        var run = await server.WaitForRunAsync(entry.RunId!.Value);

        Assert.Equal("succeeded", run.Status);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "success") && s.Any(x => x.Context == "cairn/ci/build" && x.State == "success"));
        Assert.True(forge.Requests > statuses.Count);
        foreach (var context in new[] { "cairn/ci", "cairn/ci/build" })
        {
            var states = statuses.Where(s => s.Context == context).Select(s => s.State).ToList();
            Assert.Equal("success", states[^1]);
            Assert.All(states[..^1], s => Assert.Equal("pending", s));
        }
    }

    [Fact]
    public async Task Statuses_queued_while_the_forge_was_down_are_delivered_after_a_restart()
    {
        string forgeUrl;
        string sha;
        await using (var down = await ForgeApi.StartAsync())
        {
            forgeUrl = down.Url;
        }

        // The forge is gone now: its port refuses connections.
        await using (var server = await ServerHarness.StartAsync(data.Path))
        {
            await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forgeUrl, Secret);
            sha = repo.Commit(Pipeline);
            var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));
            var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
            var run = await server.WaitForRunAsync(entry.RunId!.Value);
            Assert.Equal("succeeded", run.Status);
        }

        await using var forge = await ForgeApi.StartAsync(new Uri(forgeUrl).Port);
        await using var restarted = await ServerHarness.StartAsync(data.Path);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "success"));
        Assert.All(statuses, s => Assert.Equal($"/repos/octo/app/statuses/{sha}", s.Path));
        Assert.Equal("pending", statuses.First(s => s.Context == "cairn/ci").State);
    }

    public ValueTask DisposeAsync()
    {
        repo.Dispose();
        data.Dispose();
        return ValueTask.CompletedTask;
    }
}
