using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Tests;

public sealed class RemoteWorkerCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> NoStore() => new() { ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null };

    [Fact]
    public async Task Server_AndConnection_ExcludeEachOther()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--server", "http://127.0.0.1:9", "--connection", "cairn.db");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--server and --connection/--store exclude each other", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WithAMissingTokenFile_SaysSo()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--server", "http://127.0.0.1:9", "--token-file", "nope.token");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--token-file: nope.token does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_ThatIsNotAnHttpUrl_IsAUsageError()
    {
        _dir.WriteFile("worker.token", "cairnw_x\n");

        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--server", "ftp://ci.example.com", "--token-file", "worker.token");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not an absolute http:// or https:// URL", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedToken_StopsTheWorker_WithOneLineAndAFailure()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost("/api/v1/worker/lease", () => Results.Unauthorized());
        await app.StartAsync(TestContext.Current.CancellationToken);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _dir.WriteFile("worker.token", "cairnw_revoked\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dir.Combine("worker.token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var result = await CairnProcess.RunAsync(
            _dir.Path, NoStore(), "worker", "--server", url, "--token-file", "worker.token", "--concurrency", "2", "--workspace-root", _dir.Combine("ws"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(
            "cairn worker: the server refused this worker's token (wrong, or the worker was removed or its token replaced)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"cairn worker: 2 at once for {url}", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("readable by other users", result.Stderr, StringComparison.Ordinal);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
