using System.Net.Http.Json;
using System.Text;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>A pipeline file far larger than any pipeline (it costs a fork nothing: it compresses to almost nothing in
/// git) is refused by its size, before it is read, and the run says so.</summary>
public sealed class PipelineSizeTests : IAsyncLifetime
{
    private const string Secret = "size matters";

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;

    public async ValueTask InitializeAsync() => forge = await ForgeApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_pipeline_file_over_the_limit_fails_its_run_as_config_and_the_forge_is_told_why()
    {
        await using var server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(HugePipeline(3 * 1024 * 1024));

        var run = await PushAsync(server, sha);

        Assert.Equal("failed", run.Status);
        Assert.Equal("config", run.FailureClass);
        Assert.Empty(run.Jobs ?? []);
        Assert.Equal([".cairn.yml is 3.0 MiB, over the limit of 1 MiB (--max-pipeline-size)"], run.Errors);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/pipeline" && x.State == "error"));
        Assert.Contains(run.Errors[0], statuses.Last(x => x.Context == "cairn/pipeline").Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_limit_is_a_server_setting()
    {
        await using var server = await ServerHarness.StartAsync(data.Path, given => given["MaxPipelineSize"] = "4MiB");
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(HugePipeline(3 * 1024 * 1024));

        var run = await server.WaitForRunAsync((await PushAsync(server, sha)).Id);

        Assert.Equal("succeeded", run.Status);
    }

    private static async Task<Api.RunView> PushAsync(ServerHarness server, string sha)
    {
        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), Secret));
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.Equal("planned", entry.State);
        return await server.GetRunAsync(entry.RunId!.Value);
    }

    /// <summary>A valid pipeline padded with comments to <paramref name="bytes"/>.</summary>
    private static string HugePipeline(int bytes)
    {
        var text = new StringBuilder("jobs:\n  build:\n    steps:\n      - run: echo small job, big file\n");
        var padding = "# " + new string('x', 98) + "\n";
        while (text.Length + padding.Length <= bytes)
        {
            text.Append(padding);
        }

        return text.Append('#', bytes - text.Length - 1).Append('\n').ToString();
    }
}
