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

    [Theory]
    [InlineData("https://ci.example.com", false)]
    [InlineData("http://127.0.0.1:8080", false)]
    [InlineData("http://[::1]:8080", false)]
    [InlineData("http://localhost:8080", false)]
    [InlineData("http://ci.example.com", true)]
    [InlineData("http://10.0.0.5:8080", true)]
    public void PlainHttp_ToAnythingButLoopback_IsWarnedAbout(string server, bool warned)
    {
        Assert.NotNull(Commands.RemoteWorker.ParseServer(server, out var problem, out var warning));
        Assert.Null(problem);
        Assert.Equal(warned, warning?.Contains("travel unencrypted", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task Server_AndConnection_ExcludeEachOther()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--server", "http://127.0.0.1:9", "--connection", "cairn.db");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--server and --connection/--store exclude each other", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lease", "20s", "--lease and --reap-interval are for a worker on the store")]
    [InlineData("--reap-interval", "5s", "--lease and --reap-interval are for a worker on the store")]
    public async Task Server_WithTheStoreWorkersLeaseOptions_IsAUsageError(string option, string value, string said)
    {
        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--server", "http://127.0.0.1:9", "--token-file", "w.token", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(said, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--token-file", "w.token")]
    [InlineData("--spool-dir", "spool")]
    [InlineData("--call-timeout", "5s")]
    public async Task StoreWorker_WithAnOptionOfTheHttpWorker_IsAUsageError(string option, string value)
    {
        var result = await CairnProcess.RunAsync(_dir.Path, NoStore(), "worker", "--connection", "cairn.db", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{option} is for a worker with --server", result.Stderr, StringComparison.Ordinal);
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
    public async Task AJob_RunsOnTheShell_LeasedFromAServerOverHttp_WithItsSecretMasked()
    {
        var grant = Cairn.Workers.Tests.ContractServer.NewGrant("echo \"token=$TOKEN\"; echo done", 1, 0, null, ["TOKEN"]);
        await using var server = await new Cairn.Workers.Tests.ContractServer(grant).StartAsync();
        _dir.WriteFile("worker.token", "cairnw_good\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dir.Combine("worker.token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var worker = CairnProcess.Start(
            _dir.Path, NoStore(), "worker", "--server", server.Url.ToString(), "--token-file", "worker.token", "--concurrency", "1",
            "--workspace-root", _dir.Combine("ws"), "--heartbeat", "1s");

        await Eventually.TrueAsync(() => !server.Completions.IsEmpty, "the job's outcome to reach the server", cancellationToken: TestContext.Current.CancellationToken);
        await worker.SignalAsync("TERM");
        var result = await worker.WaitAsync(CairnProcess.DefaultTimeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Cairn.Core.Runs.JobStatus.Succeeded, Assert.Single(server.Completions).Status);
        var lines = server.Batches.SelectMany(b => b.Lines.Select((l, i) => (Number: b.First + i, l.Text))).ToList();
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(n => (long)n), lines.Select(l => l.Number));
        Assert.Contains(lines, l => l.Text == "token=***");
        Assert.Contains(lines, l => l.Text == "done");
        Assert.DoesNotContain(lines, l => l.Text.Contains(Cairn.Workers.Tests.ContractServer.Secret, StringComparison.Ordinal));
        Assert.Equal(lines.Count, server.LinesAtCompletion);
        Assert.Contains("job 12 (build) of run 7, attempt 1: succeeded", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("ws", ".spool")));
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
