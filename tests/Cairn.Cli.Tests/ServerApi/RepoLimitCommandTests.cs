using System.Net.Http.Json;
using System.Text.Json;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn repo set --max-running-jobs</c> against the real server in this process.</summary>
public sealed class RepoLimitCommandTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private LiveServer server = null!;

    public async ValueTask InitializeAsync() => server = await LiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task The_limit_is_set_shown_removed_and_a_negative_one_is_the_servers_400()
    {
        var set = await CairnAsync("repo", "set", "octo/app", "--max-running-jobs", "4");
        var stored = await server.Client.GetFromJsonAsync<JsonElement>("/api/v1/repos/octo/app", TestContext.Current.CancellationToken);
        var negative = await CairnAsync("repo", "set", "octo/app", "--max-running-jobs", "-2");
        var removed = await CairnAsync("repo", "set", "octo/app", "--max-running-jobs", "0", "--json");
        var notANumber = await CairnAsync("repo", "set", "octo/app", "--max-running-jobs", "many");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Matches(@"running jobs\s+at most 4 at once", set.Stdout);
        Assert.Equal(4, stored.GetProperty("maxRunningJobs").GetInt32());
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("maxRunningJobs: -2 is below zero", negative.Stderr, StringComparison.Ordinal);
        ServerCliTest.AssertNoStackTrace(negative);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        using (var view = JsonDocument.Parse(removed.Stdout))
        {
            Assert.False(view.RootElement.TryGetProperty("maxRunningJobs", out var limit) && limit.ValueKind != JsonValueKind.Null);
        }

        Assert.Equal(2, notANumber.ExitCode);
    }

    private Task<CairnResult> CairnAsync(params string[] args) =>
        CairnProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = server.Token }, args);
}
