using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cairn.Server.Tests;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A real <c>cairn server</c> process told by the standard <c>OTEL_EXPORTER_OTLP_*</c> variables where to send its
/// traces: the spans of a run reach a loopback receiver that speaks OTLP over HTTP (POST <c>/v1/traces</c>, protobuf),
/// with the headers the variables name, though the server strips its own environment before any job runs.</summary>
public sealed class OtlpExportTests : IDisposable
{
    private const string HeaderValue = "otlp-header-credential-5c1f";

    private readonly TempDirectory _dir = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_runs_spans_reach_the_otlp_endpoint_the_environment_names()
    {
        using var repo = new GitRepository();
        repo.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ name: build, run: echo built }]
            """);
        var received = new ConcurrentQueue<(string Path, string? ContentType, string? Header, byte[] Body)>();
        var receiverPort = ServerProcessClient.FreePort();
        using var receiver = new HttpListener { Prefixes = { $"http://127.0.0.1:{receiverPort}/" } };
        receiver.Start();
        var receiving = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await receiver.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body, Token);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, context.Request.Headers["x-api-key"], body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }, Token);

        var port = ServerProcessClient.FreePort();
        var data = _dir.Combine("data");
        var environment = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{receiverPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-api-key={HeaderValue}",
            ["OTEL_SERVICE_NAME"] = "cairn-under-test",
        };
        await using var server = CairnProcess.Start(
            _dir.Path, environment, "server", "--data", data, "--urls", $"http://127.0.0.1:{port}", "--concurrency", "1");
        await server.WaitForStdoutAsync("listening on", TimeSpan.FromSeconds(60));
        using var client = await ServerProcessClient.ConnectAsync($"http://127.0.0.1:{port}", data, Token);
        var added = await client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/app", forge = "github", cloneUrl = repo.CloneUrl }, Token);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));
        var started = await client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" }, Token);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(Token));
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("id").GetInt64();
        var run = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{id}", Token)).RootElement,
            r => r.GetProperty("status").GetString() is "succeeded" or "failed",
            $"run {id} to end",
            TimeSpan.FromMinutes(2),
            r => $"{r}\n{server.StdoutSoFar}",
            Token);
        var traceId = Convert.FromHexString(run.GetProperty("traceId").GetString()!);

        // The batch goes out within a few seconds; a stop flushes what is left.
        await server.SignalAsync("TERM");
        var result = await server.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => received.Any(r => Contains(r.Body, Encoding.UTF8.GetBytes("step"))), "the step's span to arrive", TimeSpan.FromSeconds(30), Token);
        receiver.Stop();
        await receiving;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(received, r =>
        {
            Assert.Equal("/v1/traces", r.Path);
            Assert.Equal("application/x-protobuf", r.ContentType);
            Assert.Equal(HeaderValue, r.Header);
        });
        var all = received.SelectMany(r => r.Body).ToArray();
        Assert.True(Contains(all, traceId), "the run's trace id is in what was sent");
        foreach (var name in new[] { "run.start", "pipeline.plan", "job.queue", "job.prepare", "cairn-under-test", "cairn.run.id" })
        {
            Assert.True(Contains(all, Encoding.UTF8.GetBytes(name)), $"'{name}' is in what was sent");
        }

        Assert.DoesNotContain(HeaderValue, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
