using System.Text.Json;
using Cairn.Core.Trackers;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn tracker add plane|list|remove</c> against the real server in this process: the secrets are read
/// from files, kept sealed by the server and never printed.</summary>
public sealed class TrackerCommandTests : IAsyncLifetime
{
    private const string Secret = "plane-webhook-secret-42";
    private const string ApiKey = "plane_api_key_value_99";

    private readonly TempDirectory dir = new();
    private LiveServer server = null!;

    public async ValueTask InitializeAsync() => server = await LiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task A_Plane_project_is_added_with_secrets_from_files_listed_without_them_and_removed()
    {
        dir.WriteFile("hook.secret", Secret + "\n");
        dir.WriteFile("api.key", ApiKey + "\n");

        var added = await CairnAsync(
            "tracker", "add", "plane", "--workspace", "acme", "--project", "p-1", "--repo", "octo/app", "--api-url", "https://plane.example.test",
            "--webhook-secret-file", "hook.secret", "--api-key-file", "api.key");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("added tracker 1: plane acme/p-1 → octo/app", added.Stdout, StringComparison.Ordinal);
        Assert.Contains("/hooks/plane", added.Stdout, StringComparison.Ordinal);
        var secrets = await server.Services.GetRequiredService<ITrackerStore>().GetTrackerSecretsAsync(1, CancellationToken.None);
        Assert.Equal(new TrackerSecrets(Secret, ApiKey), secrets);

        var list = await CairnAsync("tracker", "list");
        var json = await CairnAsync("tracker", "list", "--json");
        Assert.Contains("1  plane  acme/p-1  octo/app  https://plane.example.test/", list.Stdout, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("octo/app", document.RootElement.GetProperty("items")[0].GetProperty("repository").GetString());
        }

        foreach (var result in new[] { added, list, json })
        {
            Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKey, result.Stdout + result.Stderr, StringComparison.Ordinal);
        }

        var removed = await CairnAsync("tracker", "remove", "1");
        var again = await CairnAsync("tracker", "remove", "1");
        Assert.Equal("removed tracker 1\n", removed.Stdout);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("there is no tracker 1", again.Stderr, StringComparison.Ordinal);
        Assert.Equal("no trackers yet (add one with cairn tracker add plane)\n", (await CairnAsync("tracker", "list")).Stdout);
    }

    [Fact]
    public async Task Add_with_a_missing_key_file_or_an_unknown_repository_says_so_and_adds_nothing()
    {
        dir.WriteFile("hook.secret", Secret);

        var missing = await CairnAsync(
            "tracker", "add", "plane", "--workspace", "acme", "--project", "p-1", "--repo", "octo/app", "--api-url", "https://plane.example.test",
            "--webhook-secret-file", "hook.secret", "--api-key-file", "nope.key");
        dir.WriteFile("api.key", ApiKey);
        var unknown = await CairnAsync(
            "tracker", "add", "plane", "--workspace", "acme", "--project", "p-1", "--repo", "octo/none", "--api-url", "https://plane.example.test",
            "--webhook-secret-file", "hook.secret", "--api-key-file", "api.key");

        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: cannot read the API key from nope.key:", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("there is no repository octo/none", unknown.Stderr, StringComparison.Ordinal);
        ServerCliTest.AssertNoStackTrace(unknown);
        Assert.Empty(await server.Services.GetRequiredService<ITrackerStore>().GetTrackersAsync(CancellationToken.None));
    }

    private Task<CairnResult> CairnAsync(params string[] args) =>
        CairnProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = server.Token }, args);
}
