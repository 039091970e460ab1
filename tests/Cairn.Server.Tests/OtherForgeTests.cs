using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>GitLab, Gitea and Bitbucket: each forge's own signature, payload and status API.</summary>
public sealed class OtherForgeTests : IAsyncLifetime
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
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task GitLab_push_hook_with_its_token_runs_and_statuses_go_to_the_projects_api()
    {
        await server.AddRepositoryAsync("group/app", "gitlab", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(Pipeline);

        var wrong = await server.Anonymous.SendAsync(Deliveries.GitLab("Push Hook", Deliveries.GitLabPush("group/app", "refs/heads/main", Deliveries.ZeroSha, sha), "nope"));
        var response = await server.Anonymous.SendAsync(Deliveries.GitLab("Push Hook", Deliveries.GitLabPush("group/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var run = await RunOfAsync(response);
        Assert.Equal("succeeded", run.Status);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.State == "success" && x.Context == "cairn/ci"));
        Assert.All(statuses, s => Assert.Equal($"/projects/group%2Fapp/statuses/{sha}", s.Path));
        Assert.All(statuses, s => Assert.Equal("status-token", s.PrivateToken));
    }

    [Fact]
    public async Task Gitea_push_signed_with_its_header_runs_and_statuses_use_the_token_scheme()
    {
        await server.AddRepositoryAsync("octo/app", "gitea", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(Pipeline);

        var response = await server.Anonymous.SendAsync(Deliveries.Gitea("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));

        var run = await RunOfAsync(response);
        Assert.Equal("succeeded", run.Status);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.State == "success" && x.Context == "cairn/ci"));
        Assert.All(statuses, s => Assert.Equal($"/repos/octo/app/statuses/{sha}", s.Path));
        Assert.All(statuses, s => Assert.Equal("token status-token", s.Authorization));
    }

    [Fact]
    public async Task Bitbucket_repo_push_runs_and_statuses_go_to_the_build_status_api()
    {
        await server.AddRepositoryAsync("team/app", "bitbucket", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(Pipeline);

        var response = await server.Anonymous.SendAsync(Deliveries.Bitbucket("repo:push", Deliveries.BitbucketPush("team/app", "main", null, sha), Secret));

        var run = await RunOfAsync(response);
        Assert.Equal("succeeded", run.Status);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.State == "SUCCESSFUL"));
        Assert.All(statuses, s => Assert.Equal($"/2.0/repositories/team/app/commit/{sha}/statuses/build", s.Path));
    }

    private async Task<Api.RunView> RunOfAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var entry = await server.WaitForEventAsync(answer.EventId!.Value);
        Assert.True(entry.RunId is not null, $"{entry.State}: {entry.Detail}");
        return await server.WaitForRunAsync(entry.RunId!.Value);
    }
}
