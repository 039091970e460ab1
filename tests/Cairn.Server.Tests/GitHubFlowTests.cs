using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>A push from GitHub, end to end: signed delivery → journal → fetch → plan → jobs in worktrees → statuses.</summary>
public sealed class GitHubFlowTests : IAsyncLifetime
{
    private const string Secret = "it's a secret to everybody";
    private const string Pipeline = """
        name: ci
        on:
          push: { branches: [main] }
          pull_request: { branches: [main] }
        jobs:
          build:
            steps:
              - run: test -f marker.txt && echo "built $(cat marker.txt) at $CAIRN_SHA"
          test:
            needs: [build]
            steps:
              - run: echo tested
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_signed_push_runs_the_pipeline_at_that_commit_and_reports_pending_then_success()
    {
        var sha = repo.Commit(new Dictionary<string, string> { [".cairn.yml"] = Pipeline, ["marker.txt"] = "v1" });

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        Assert.True(answer.Accepted);
        var entry = await server.WaitForEventAsync(answer.EventId!.Value);
        Assert.Equal("planned", entry.State);
        var run = await server.WaitForRunAsync(entry.RunId!.Value);
        Assert.Equal("succeeded", run.Status);
        Assert.Equal(sha, run.Sha);
        Assert.Equal("refs/heads/main", run.Ref);
        Assert.Equal(1, run.Number);
        Assert.All(run.Jobs!, j => Assert.Equal("succeeded", j.Status));

        var log = await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/jobs/{run.Jobs![0].Id}/log");
        Assert.Contains($"built v1 at {sha}", log, StringComparison.Ordinal);

        var statuses = await forge.WaitForAsync(s => s.Count(x => x.Context == "cairn/ci" && x.State == "success") == 1
            && s.Any(x => x.Context == "cairn/ci/test" && x.State == "success"));
        var runStatuses = statuses.Where(s => s.Context == "cairn/ci").Select(s => s.State).ToList();
        Assert.Equal("pending", runStatuses[0]);
        Assert.Equal("success", runStatuses[^1]);
        Assert.All(statuses, s => Assert.Equal($"/repos/octo/app/statuses/{sha}", s.Path));
        Assert.All(statuses, s => Assert.Equal("Bearer status-token", s.Authorization));
        Assert.All(statuses, s => Assert.Equal($"{ServerHarness.PublicUrl}runs/{run.Id}", s.Body.GetProperty("target_url").GetString()));
        var buildStates = statuses.Where(s => s.Context == "cairn/ci/build").Select(s => s.State).ToList();
        Assert.Equal("success", buildStates[^1]);
        Assert.All(buildStates[..^1], s => Assert.Equal("pending", s));
    }

    [Fact]
    public async Task A_repeated_delivery_answers_duplicate_and_starts_nothing_more()
    {
        var sha = repo.Commit(Pipeline);
        var payload = Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha);

        var first = await server.Anonymous.SendAsync(Deliveries.GitHub("push", payload, Secret, delivery: "d-1"));
        var again = await server.Anonymous.SendAsync(Deliveries.GitHub("push", payload, Secret, delivery: "d-1"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var answer = (await again.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        Assert.True(answer.Duplicate);
        await server.WaitForEventAsync(answer.EventId!.Value);
        Assert.Single(await server.ListRunsAsync());
        Assert.Single(await server.ListEventsAsync());
    }

    [Fact]
    public async Task A_burst_of_more_deliveries_than_are_planned_at_once_makes_each_run_exactly_once()
    {
        const string quick = "name: ci\non:\n  push: { branches: [main] }\njobs:\n  build:\n    steps:\n      - run: test -f n.txt\n";
        var shas = Enumerable.Range(0, 3 * Cairn.Server.Services.EventPlanner.InFlight)
            .Select(i => repo.Commit(new Dictionary<string, string> { [".cairn.yml"] = quick, ["n.txt"] = $"{i}" }))
            .ToList();

        // Every delivery sent twice at the same moment, all of them at once.
        var answers = await Task.WhenAll(shas.SelectMany((sha, i) => Enumerable.Range(0, 2).Select(async _ =>
        {
            using var response = await server.Anonymous.SendAsync(Deliveries.GitHub(
                "push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret, delivery: $"burst-{i}"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        })));

        Assert.Equal(shas.Count, answers.Count(a => a.Accepted && !a.Duplicate));
        var events = await Task.WhenAll(answers.Select(a => a.EventId!.Value).Distinct().Select(server.WaitForEventAsync));
        Assert.Equal(shas.Count, events.Length);
        Assert.All(events, e => Assert.Equal("planned", e.State));
        var runIds = events.Select(e => e.RunId!.Value).ToList();
        Assert.Equal(shas.Count, runIds.Distinct().Count());
        var runs = await Task.WhenAll(runIds.Select(server.WaitForRunAsync));
        Assert.Equal(shas.Order(StringComparer.Ordinal), runs.Select(r => r.Sha!).Order(StringComparer.Ordinal));
        Assert.All(runs, r => Assert.Equal("succeeded", r.Status));
        Assert.Equal(shas.Count, (await server.ListRunsAsync()).Count);
    }

    [Fact]
    public async Task A_delivery_reusing_another_repositorys_delivery_id_is_journaled_and_run_for_its_own_repository()
    {
        var sha = repo.Commit(Pipeline);
        await server.AddRepositoryAsync("octo/other", "github", repo.CloneUrl, forge.Url, "the other secret");

        var app = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret, delivery: "d-1"));
        var other = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/other", "refs/heads/main", Deliveries.ZeroSha, sha), "the other secret", delivery: "d-1"));
        var otherAgain = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("Octo/Other", "refs/heads/main", Deliveries.ZeroSha, sha), "the other secret", delivery: "d-1"));

        Assert.Equal(HttpStatusCode.Accepted, app.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAgain.StatusCode);
        var appAnswer = (await app.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var otherAnswer = (await other.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var againAnswer = (await otherAgain.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        Assert.False(otherAnswer.Duplicate);
        Assert.NotEqual(appAnswer.EventId, otherAnswer.EventId);
        Assert.Equal((true, otherAnswer.EventId), (againAnswer.Duplicate, againAnswer.EventId));
        var appEvent = await server.WaitForEventAsync(appAnswer.EventId!.Value);
        var otherEvent = await server.WaitForEventAsync(otherAnswer.EventId!.Value);
        Assert.Equal(("octo/other", "planned"), (otherEvent.Repository, otherEvent.State));
        Assert.NotEqual(appEvent.RunId, otherEvent.RunId);
        Assert.Equal("octo/other", (await server.GetRunAsync(otherEvent.RunId!.Value)).Repo);
        Assert.Equal(2, (await server.ListRunsAsync()).Count);
    }

    [Fact]
    public async Task Every_rejection_is_a_4xx_and_leaves_nothing_behind()
    {
        var sha = repo.Commit(Pipeline);
        var payload = Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha);

        var wrongSecret = await server.Anonymous.SendAsync(Deliveries.GitHub("push", payload, "not the secret"));
        var unsigned = Deliveries.GitHub("push", payload, Secret);
        unsigned.Headers.Remove("X-Hub-Signature-256");
        var noSignature = await server.Anonymous.SendAsync(unsigned);
        var unknownRepo = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/other", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));
        var malformed = await server.Anonymous.SendAsync(Deliveries.GitHub("push", "{not json"u8.ToArray(), Secret));
        var unknownForge = await server.Anonymous.SendAsync(Deliveries.GitHub("push", payload, Secret) is var r ? new HttpRequestMessage(HttpMethod.Post, "/hooks/sourcehut") { Content = r.Content } : null!);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noSignature.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownRepo.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownForge.StatusCode);
        Assert.Equal("application/problem+json", wrongSecret.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await server.ListEventsAsync());
        Assert.Empty(await server.ListRunsAsync());
    }

    [Fact]
    public async Task Pings_unsupported_events_deletions_and_zero_shas_are_journaled_and_start_nothing()
    {
        var sha = repo.Commit(Pipeline);

        var ping = await server.Anonymous.SendAsync(Deliveries.GitHub("ping", new { zen = "Keep it simple.", repository = new { full_name = "octo/app" } }, Secret));
        var issue = await server.Anonymous.SendAsync(Deliveries.GitHub("issues", new { action = "opened", repository = new { full_name = "octo/app" } }, Secret));
        var deletion = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/gone", sha, Deliveries.ZeroSha, deleted: true), Secret));

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, issue.StatusCode);
        Assert.NotNull((await issue.Content.ReadFromJsonAsync<WebhookAnswer>())!.Ignored);
        Assert.Equal(HttpStatusCode.Accepted, deletion.StatusCode);
        var events = await server.ListEventsAsync();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("ignored", e.State));
        Assert.Empty(await server.ListRunsAsync());
    }

    [Fact]
    public async Task A_push_the_pipeline_does_not_take_is_ignored_with_the_reason()
    {
        var sha = repo.Commit(Pipeline, branch: "feature/x");

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/feature/x", Deliveries.ZeroSha, sha), Secret));

        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.Equal("ignored", entry.State);
        Assert.Contains("feature/x", entry.Detail, StringComparison.Ordinal);
        Assert.Empty(await server.ListRunsAsync());
    }

    [Fact]
    public async Task A_paths_filter_reads_what_the_push_changed_since_its_before_commit()
    {
        var first = repo.Commit(new Dictionary<string, string>
        {
            [".cairn.yml"] = "name: ci\non: { push: { paths: [\"src/**\"] } }\njobs:\n  a:\n    steps: [{ run: echo built }]\n",
        });
        var docsOnly = repo.Commit(new Dictionary<string, string> { ["docs/readme.md"] = "words" });
        var source = repo.Commit(new Dictionary<string, string> { ["src/app/main.c"] = "int main;" });

        var skipped = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", first, docsOnly), Secret));
        var taken = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", docsOnly, source), Secret));

        var ignored = await server.WaitForEventAsync((await skipped.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        var planned = await server.WaitForEventAsync((await taken.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.Equal("ignored", ignored.State);
        Assert.Contains("paths", ignored.Detail, StringComparison.Ordinal);
        Assert.Equal("planned", planned.State);
        Assert.Equal(source, (await server.WaitForRunAsync(planned.RunId!.Value)).Sha);
    }

    [Fact]
    public async Task An_invalid_pipeline_is_recorded_as_a_failed_config_run_and_the_forge_is_told_what_is_wrong()
    {
        var sha = repo.Commit("name: ci\njobs:\n  build:\n    stepz: []\n");

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));

        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        var run = await server.GetRunAsync(entry.RunId!.Value);
        Assert.Equal("failed", run.Status);
        Assert.Equal("config", run.FailureClass);
        Assert.Contains(run.Errors, e => e.Contains("stepz", StringComparison.Ordinal));
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "error"));
        var description = statuses.Last(x => x.Context == "cairn/ci").Description;
        Assert.Contains(run.Errors[0], description, StringComparison.Ordinal);
        Assert.Contains($"(and {run.Errors.Count - 1} more)", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pull_request_from_a_fork_runs_at_once_when_the_repository_says_so_and_is_marked_as_a_fork()
    {
        Assert.True((await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { forkPullRequests = "run" })).IsSuccessStatusCode);
        var baseSha = repo.Commit(Pipeline);
        var headSha = repo.Commit(new Dictionary<string, string> { ["marker.txt"] = "pr" }, branch: "topic");
        repo.PushHeadTo("refs/pull/7/head");

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("pull_request",
            Deliveries.GitHubPullRequest("octo/app", "opened", 7, "main", "topic", headSha, baseSha, headRepository: "someone/app"), Secret));

        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.Equal("planned", entry.State);
        var run = await server.WaitForRunAsync(entry.RunId!.Value);
        Assert.Equal("pull_request", run.Event);
        Assert.Equal(headSha, run.Sha);
        Assert.Equal("succeeded", run.Status);
        Assert.True(run.Fork);
        Assert.Equal(7, run.PullRequest);
    }
}
