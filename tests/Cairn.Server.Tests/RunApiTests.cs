using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>Runs started, listed, cancelled and run again through the API.</summary>
public sealed class RunApiTests : IAsyncLifetime
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
    public async Task A_manual_run_with_inputs_runs_the_branch_head_and_an_idempotency_key_gives_the_same_run()
    {
        var sha = repo.Commit("""
            name: deploy
            on: { manual: { inputs: { target: { default: staging } } } }
            env: { TARGET: "${{ inputs.target }}" }
            jobs:
              deploy:
                steps: [{ run: echo "deploying to $TARGET" }]
            """);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/repos/octo/app/runs") { Content = JsonContent.Create(new { @ref = "main", inputs = new { target = "prod" } }) };
        request.Headers.Add("Idempotency-Key", "click-1");
        var created = await server.Client.SendAsync(request);
        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/v1/repos/octo/app/runs") { Content = JsonContent.Create(new { @ref = "main", inputs = new { target = "prod" } }) };
        again.Headers.Add("Idempotency-Key", "click-1");
        var repeated = await server.Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        var run = (await created.Content.ReadFromJsonAsync<RunView>())!;
        Assert.Equal(run.Id, (await repeated.Content.ReadFromJsonAsync<RunView>())!.Id);
        Assert.Equal(sha, run.Sha);
        Assert.Equal("manual", run.Event);
        var ended = await server.WaitForRunAsync(run.Id);
        Assert.Equal("succeeded", ended.Status);
        var log = await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/jobs/{ended.Jobs![0].Id}/log");
        Assert.Contains("deploying to prod", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manual_run_the_pipeline_cannot_take_is_refused_with_the_reason()
    {
        repo.Commit("name: ci\non: { push: {} }\njobs:\n  a:\n    steps: [{ run: 'true' }]\n");

        var response = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        var missingBranch = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "no-such-branch" });
        var missingRepo = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/nope/runs", new { @ref = "main" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("manual", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missingBranch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingRepo.StatusCode);
        Assert.Empty(await server.ListRunsAsync());
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_the_run_ends_cancelled()
    {
        repo.Commit("""
            name: slow
            on: { manual: {} }
            jobs:
              wait:
                steps: [{ run: sleep 300 }]
              after:
                needs: [wait]
                steps: [{ run: echo never }]
            """);
        var run = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        await WaitForJobAsync(run.Id, "wait", "running");

        var cancel = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);
        var ended = await server.WaitForRunAsync(run.Id);
        var again = await server.Client.PostAsync($"/api/v1/runs/{run.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", ended.Status);
        Assert.All(ended.Jobs!, j => Assert.Equal("cancelled", j.Status));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Rerun_failed_runs_only_what_failed_and_what_depends_on_it()
    {
        var trace = Path.Combine(data.Path, "trace");
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              lint:
                steps: [{ run: echo lint >> '{{trace}}' }]
              flaky:
                steps: [{ run: "echo flaky >> '{{trace}}'; test -f '{{trace}}.ok'" }]
              package:
                needs: [lint, flaky]
                steps: [{ run: echo package >> '{{trace}}' }]
            """);
        var first = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        var failed = await server.WaitForRunAsync(first.Id);
        Assert.Equal("failed", failed.Status);
        await File.WriteAllTextAsync(trace + ".ok", "");
        await File.WriteAllTextAsync(trace, "");

        var response = await server.Client.PostAsync($"/api/v1/runs/{first.Id}/rerun-failed", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var rerun = await server.WaitForRunAsync((await response.Content.ReadFromJsonAsync<RunView>())!.Id);
        Assert.Equal("succeeded", rerun.Status);
        Assert.Equal(first.Id, rerun.RerunOf);
        Assert.Equal(["flaky", "package"], (await File.ReadAllLinesAsync(trace)).Order(StringComparer.Ordinal));
        var whole = await server.Client.PostAsync($"/api/v1/runs/{first.Id}/rerun", null);
        var all = await server.WaitForRunAsync((await whole.Content.ReadFromJsonAsync<RunView>())!.Id);
        Assert.Equal("succeeded", all.Status);
        Assert.Contains("lint", await File.ReadAllTextAsync(trace), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_run_in_a_concurrency_group_cancels_the_older_one()
    {
        repo.Commit("""
            name: deploy
            on: { manual: {} }
            concurrency: { group: "deploy-${{ cairn.branch }}", cancel-in-progress: true }
            jobs:
              deploy:
                steps: [{ run: sleep 300 }]
            """);
        var older = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;
        await WaitForJobAsync(older.Id, "deploy", "running");

        var newer = (await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!;

        Assert.Equal("deploy-main", newer.ConcurrencyGroup);
        var cancelled = await server.WaitForRunAsync(older.Id);
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Contains("superseded", cancelled.Jobs![0].FailureDetail, StringComparison.Ordinal);
        Assert.Equal("running", (await server.GetRunAsync(newer.Id)).Status);
        await server.Client.PostAsync($"/api/v1/runs/{newer.Id}/cancel", null);
        await server.WaitForRunAsync(newer.Id);
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_with_filters_and_cursor_paging()
    {
        repo.Commit("name: ci\non: { manual: {} }\njobs:\n  a:\n    steps: [{ run: 'true' }]\n");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await (await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" })).Content.ReadFromJsonAsync<RunView>())!.Id);
        }

        foreach (var id in ids)
        {
            await server.WaitForRunAsync(id);
        }

        var first = (await server.Client.GetFromJsonAsync<Page<RunView>>("/api/v1/runs?limit=2&repo=octo/app"))!;
        var second = (await server.Client.GetFromJsonAsync<Page<RunView>>($"/api/v1/runs?limit=2&cursor={first.Next}"))!;
        var failed = (await server.Client.GetFromJsonAsync<Page<RunView>>("/api/v1/runs?status=failed"))!;
        var bad = await server.Client.GetAsync("/api/v1/runs?status=sideways");

        Assert.Equal([ids[2], ids[1]], first.Items.Select(r => r.Id));
        Assert.Equal([ids[0]], second.Items.Select(r => r.Id));
        Assert.Null(second.Next);
        Assert.Empty(failed.Items);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal([1L, 2L, 3L], first.Items.Concat(second.Items).Select(r => r.Number).Order());
    }

    private Task WaitForJobAsync(long runId, string job, string status) =>
        Eventually.TrueAsync(
            async () => (await server.GetRunAsync(runId)).Jobs!.Any(j => j.Name == job && j.Status == status),
            $"job {job} of run {runId} to become {status}",
            TimeSpan.FromSeconds(60));
}
