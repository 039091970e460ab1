using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Core.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn workers add|list|pause|resume|remove</c> against the real server in this process.</summary>
public sealed class WorkersCommandTests : IAsyncLifetime
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
    public async Task A_worker_is_added_with_its_token_printed_once_and_the_line_to_start_it()
    {
        var added = await CairnAsync("workers", "add", "build-1", "--labels", "linux, big");
        var json = await CairnAsync("workers", "add", "build-2", "--json");
        var taken = await CairnAsync("workers", "add", "build-1");
        var bad = await CairnAsync("workers", "add", "Bad Name");

        Assert.True(added.ExitCode == 0, added.ToString());
        var token = added.Stdout.Trim();
        Assert.True(WorkerTokens.TryParse(token, out _, out _), added.Stdout);
        Assert.Contains("added worker build-1 (labels linux, big); its token is shown only now", added.Stderr, StringComparison.Ordinal);
        Assert.Contains($"cairn worker --server {server.Url.TrimEnd('/')} --token-file FILE", added.Stderr, StringComparison.Ordinal);
        Assert.Contains("only the worker's user can read", added.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(token, added.Stderr, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("build-2", document.RootElement.GetProperty("name").GetString());
            Assert.StartsWith(WorkerTokens.Prefix, document.RootElement.GetProperty("token").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, taken.ExitCode);
        Assert.Contains("there is a worker named build-1 already", taken.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("name:", bad.Stderr, StringComparison.Ordinal);
        ServerCliTest.AssertNoStackTrace(bad);

        var list = await CairnAsync("workers", "list", "--json");
        Assert.DoesNotContain(token, list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workers_are_listed_with_their_state_paused_resumed_and_removed()
    {
        var empty = await CairnAsync("workers", "list");
        Assert.Equal("no workers yet (add one with cairn workers add NAME)\n", empty.Stdout);
        await CairnAsync("workers", "add", "arm-1", "--labels", "arm");
        await CairnAsync("workers", "add", "build-1", "--labels", "linux,big");
        await CairnAsync("workers", "add", "idle");
        var store = server.Services.GetRequiredService<IWorkerStore>();
        var now = TimeProvider.System.GetUtcNow();
        var ct = TestContext.Current.CancellationToken;
        await store.TouchWorkerAsync((await store.GetWorkerAsync("arm-1", ct))!.Id, now - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(10), "0.9.0", "10.0.0.9", ct);
        await store.TouchWorkerAsync((await store.GetWorkerAsync("build-1", ct))!.Id, now, "1.0.0", "10.0.0.7", ct);

        var paused = await CairnAsync("workers", "pause", "idle");
        var list = await CairnAsync("workers", "list");
        var resumed = await CairnAsync("workers", "resume", "idle");
        var removed = await CairnAsync("workers", "remove", "arm-1");
        var again = await CairnAsync("workers", "remove", "arm-1");
        var json = await CairnAsync("workers", "list", "--json");

        Assert.Equal("paused worker idle (never; paused)\n", paused.Stdout);
        var rows = ServerCliTest.Lines(list.Stdout);
        Assert.Matches(@"^NAME\s+LABELS\s+STATE\s+RUNNING\s+VERSION$", rows[0]);
        Assert.Matches(@"^arm-1\s+arm\s+last seen 5m ago\s+0\s+0\.9\.0$", rows[1]);
        Assert.Matches(@"^build-1\s+linux,big\s+connected\s+0\s+1\.0\.0$", rows[2]);
        Assert.Matches(@"^idle\s+-\s+never; paused\s+0\s+-$", rows[3]);
        Assert.Equal("resumed worker idle (never)\n", resumed.Stdout);
        Assert.Equal("removed worker arm-1\n", removed.Stdout);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("there is no worker arm-1", again.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["build-1", "idle"], document.RootElement.EnumerateArray().Select(w => w.GetProperty("name").GetString()));
        Assert.DoesNotMatch(new Regex("token", RegexOptions.IgnoreCase), json.Stdout);
    }

    private Task<CairnResult> CairnAsync(params string[] args) =>
        CairnProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = server.Token }, args);
}
