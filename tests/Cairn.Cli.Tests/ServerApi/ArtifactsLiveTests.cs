using System.Globalization;
using Cairn.Core.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn artifacts</c> against the real server in this process, whose real job kept the artifacts.</summary>
public sealed class ArtifactsLiveTests : IAsyncLifetime
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
    public async Task A_run_s_artifacts_are_listed_and_downloaded_whole_and_by_path()
    {
        var (run, _) = await server.RunAsync("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: mkdir -p dist/sub && echo app > dist/app.txt && echo deep > dist/sub/b.txt && printf '<script>alert(1)</script>' > dist/page.html
                artifacts:
                  paths: ["dist/**"]
            """);
        var store = server.Services.GetRequiredService<IRunStore>();
        await Eventually.TrueAsync(
            async () => (await store.GetRunAsync(run, TestContext.Current.CancellationToken))!.Status == RunStatus.Succeeded,
            "the run to succeed",
            cancellationToken: TestContext.Current.CancellationToken);
        var id = run.ToString(CultureInfo.InvariantCulture);

        var listed = await CairnAsync("artifacts", id);
        var files = await CairnAsync("artifacts", id, "--job", "build");
        var whole = await CairnAsync("artifacts", "download", id, "-o", dir.Combine("all"));
        var one = await CairnAsync("artifacts", "download", id, "--job", "build", "--path", "dist/sub/b.txt", "-o", dir.Combine("one"));

        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(listed.Stdout.Split('\n'), l => l.StartsWith("build", StringComparison.Ordinal) && l.Contains(" 3 ", StringComparison.Ordinal));
        Assert.True(files.ExitCode == 0, files.ToString());
        Assert.Contains("dist/sub/b.txt", files.Stdout, StringComparison.Ordinal);
        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.Equal("app\n", await File.ReadAllTextAsync(dir.Combine("all/build/dist/app.txt"), TestContext.Current.CancellationToken));
        Assert.Equal("deep\n", await File.ReadAllTextAsync(dir.Combine("all/build/dist/sub/b.txt"), TestContext.Current.CancellationToken));
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal("deep\n", await File.ReadAllTextAsync(dir.Combine("one/build/dist/sub/b.txt"), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(dir.Combine("one/build/dist/app.txt")));
    }

    private Task<CairnResult> CairnAsync(params string[] args) =>
        CairnProcess.RunAsync(dir.Path, new Dictionary<string, string?> { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = server.Token }, args);
}
