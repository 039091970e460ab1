using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cairn.Server.Api;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>A GitLab project in nested groups, end to end: registered by its full path, reached by GitLab's own push
/// hook for it, listed, started by hand and given secrets through routes of any depth.</summary>
public sealed class NestedGroupTests : IAsyncLifetime
{
    private const string Secret = "s3cret";
    private const string PayloadFile = "gitlab-push_hook-subgroup_goscm.json";
    private const string Pipeline = """
        name: ci
        on: { push: { branches: [master] }, manual: {} }
        jobs:
          build:
            steps: [{ run: echo built }]
        """;

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new("master");
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
    public async Task GitLabs_nested_group_push_hook_runs_and_the_run_is_listed_and_started_by_hand()
    {
        var expect = WebhookCorpus.Entry(PayloadFile).GetProperty("expect");
        var name = expect.GetProperty("repo_full_name").GetString()!;
        Assert.Equal(4, name.Split('/').Length);
        await server.AddRepositoryAsync(name, "gitlab", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(Pipeline);

        // The body as GitLab sent it, but for the commit: the one the hook names lives on gitlab.com, not in this test's
        // repository, so its id is swapped for the local commit's (same length; GitLab signs with a token, not a hash).
        var body = Encoding.UTF8.GetString(WebhookCorpus.Body(PayloadFile))
            .Replace(expect.GetProperty("after").GetString()!, sha, StringComparison.Ordinal);
        var response = await server.Anonymous.SendAsync(Deliveries.GitLab("Push Hook", Encoding.UTF8.GetBytes(body), Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var entry = await server.WaitForEventAsync(answer.EventId!.Value);
        Assert.True(entry.RunId is not null, $"{entry.State}: {entry.Detail}");
        var run = await server.WaitForRunAsync(entry.RunId!.Value);
        Assert.Equal(name, run.Repo);
        Assert.Equal("push", run.Event);
        Assert.Equal(expect.GetProperty("ref").GetString(), run.Ref);
        Assert.Equal(sha, run.Sha);
        Assert.Equal("succeeded", run.Status);

        var listed = await server.ListRunsAsync($"?repo={Uri.EscapeDataString(name)}");
        Assert.Equal(run.Id, Assert.Single(listed).Id);

        var started = await server.Client.PostAsJsonAsync($"/api/v1/repos/{name}/runs", new { @ref = "refs/heads/master" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var manual = (await started.Content.ReadFromJsonAsync<RunView>())!;
        Assert.Equal(name, manual.Repo);
        Assert.Equal("manual", manual.Event);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(manual.Id)).Status);
        Assert.Equal(2, (await server.ListRunsAsync($"?repo={Uri.EscapeDataString(name)}")).Count);
    }

    [Fact]
    public async Task Secrets_of_a_nested_project_are_set_listed_and_removed_by_its_full_path()
    {
        const string Name = "group/sub/project";
        await server.AddRepositoryAsync(Name, "gitlab", repo.CloneUrl, forge.Url, Secret);

        var set = await server.Client.PutAsJsonAsync($"/api/v1/repos/{Name}/secrets/DEPLOY_KEY", new { value = "k" });
        var listed = await server.Client.GetFromJsonAsync<JsonElement>($"/api/v1/repos/{Name}/secrets");
        var removed = await server.Client.DeleteAsync($"/api/v1/repos/{Name}/secrets/DEPLOY_KEY");
        var after = await server.Client.GetFromJsonAsync<JsonElement>($"/api/v1/repos/{Name}/secrets");
        var stillThere = await server.Client.GetFromJsonAsync<JsonElement>($"/api/v1/repos/{Name}");

        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        var secret = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal("DEPLOY_KEY", secret.GetProperty("name").GetString());
        Assert.Equal(Name, secret.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty(after.GetProperty("items").EnumerateArray());
        Assert.Equal(Name, stillThere.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Deep_paths_that_name_no_repository_or_no_known_suffix_are_404s()
    {
        await server.AddRepositoryAsync("group/sub/project", "gitlab", repo.CloneUrl, forge.Url, Secret);

        var noRepo = await server.Client.PostAsJsonAsync("/api/v1/repos/group/sub/other/runs", new { });
        var noSuffix = await server.Client.PostAsJsonAsync("/api/v1/repos/group/sub/project/jobs", new { });
        var noSecretOf = await server.Client.PutAsJsonAsync("/api/v1/repos/group/sub/other/secrets/X", new { value = "v" });
        var escapedAsOne = await server.Client.PostAsJsonAsync("/api/v1/repos/group%2Fsub%2Fproject/runs", new { });

        Assert.Equal(HttpStatusCode.NotFound, noRepo.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSuffix.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noSecretOf.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, escapedAsOne.StatusCode);
    }
}
