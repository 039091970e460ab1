using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Cairn.Server.Tests;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A real <c>cairn server</c> flooded with webhooks nobody signed: bodies far over the limit (with a length
/// and chunked) and bodies just under it with bad signatures, 32 at a time. It answers each with 413, 401 or 503, starts
/// nothing, and its memory stays where it was.</summary>
public sealed class WebhookFloodTests : IDisposable
{
    private const int Oversized = 24_000_000;
    private const int Limit = 4 * 1024 * 1024;
    private const int AtOnce = 32;
    private const long AllowedGrowth = 150L * 1024 * 1024;
    private static readonly byte[] Padding = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));

    private readonly TempDirectory _dir = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Unsigned_floods_are_refused_without_the_servers_memory_growing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads the server's resident set from /proc");
        var url = $"http://127.0.0.1:{ServerProcessClient.FreePort()}";
        var data = _dir.Combine("data");
        await using var cairn = CairnProcess.Start(_dir.Path, new Dictionary<string, string?>(), "server", "--data", data, "--urls", url, "--concurrency", "0");
        await cairn.WaitForStdoutAsync("listening on", TimeSpan.FromSeconds(60));
        using var api = await ServerProcessClient.ConnectAsync(url, data, TestContext.Current.CancellationToken);
        var added = await api.PostAsJsonAsync("/api/v1/repos", new { name = "octo/app", forge = "github", cloneUrl = "http://127.0.0.1:9/app.git", webhookSecret = "s3cret" }, Token);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));

        // The first of each kind warms up what any server warms up once; what comes after must not grow.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => SendAsync(url, (Kind)(i % 4))));
        var before = ResidentBytes(cairn.Id);
        using var sampling = new CancellationTokenSource();
        var peak = SamplePeakAsync(cairn.Id, sampling.Token);
        var answers = new List<int>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var kind in Enum.GetValues<Kind>())
            {
                answers.AddRange(await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => SendAsync(url, kind))));
            }
        }

        await sampling.CancelAsync();
        var growth = await peak - before;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"resident set: {before / (1024 * 1024)} MB before, {(before + growth) / (1024 * 1024)} MB at the peak; answers: "
            + string.Join(", ", answers.CountBy(a => a).Select(a => $"{a.Key}×{a.Value}")));

        Assert.All(answers, status => Assert.Contains(status, new[] { 401, 413, 503 }));
        Assert.Contains(413, answers);
        Assert.Contains(401, answers);
        Assert.True(growth < AllowedGrowth, $"the server's resident set grew by {growth / (1024 * 1024)} MB (from {before / (1024 * 1024)} MB)");
        Assert.Equal("[]", Items(await api.GetStringAsync("/api/v1/runs", Token)));
        Assert.Equal("[]", Items(await api.GetStringAsync("/api/v1/events", Token)));
    }

    private enum Kind
    {
        /// <summary>A Content-Length far over the limit, and the body sent behind it.</summary>
        LongWithLength,

        /// <summary>A chunked body far over the limit.</summary>
        LongChunked,

        /// <summary>Just under the limit, for a repository that is there, with a signature that is wrong.</summary>
        BadSignature,

        /// <summary>Just under the limit, for a repository that is not there.</summary>
        UnknownRepository,
    }

    /// <summary>Sends one delivery of the kind and answers the status it got; the body keeps going out until the server
    /// has answered or closed.</summary>
    private static async Task<int> SendAsync(string url, Kind kind)
    {
        await using var http = await RawHttp.ConnectAsync(url);
        var repository = kind == Kind.UnknownRepository ? "octo/nothing" : "octo/app";
        var start = Encoding.ASCII.GetBytes($"{{\"ref\": \"refs/heads/main\", \"repository\": {{\"full_name\": \"{repository}\"}}, \"padding\": \"");
        var length = kind is Kind.BadSignature or Kind.UnknownRepository ? Limit - 1024 : Oversized;
        var chunked = kind == Kind.LongChunked;
        var head = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["X-GitHub-Event"] = "push",
            ["X-GitHub-Delivery"] = Guid.NewGuid().ToString(),
            ["X-Hub-Signature-256"] = "sha256=" + new string('0', 64),
            [chunked ? "Transfer-Encoding" : "Content-Length"] = chunked ? "chunked" : length.ToString(CultureInfo.InvariantCulture),
        };
        await http.SendHeadAsync("/hooks/github", head);
        var answer = http.ReadAnswerAsync(TimeSpan.FromSeconds(60));
        var sending = SendBodyAsync(http, start, length, chunked, answer);
        var status = (await answer).Status;
        await sending;
        return status;
    }

    private static async Task SendBodyAsync(RawHttp http, byte[] start, int length, bool chunked, Task answered)
    {
        Func<ReadOnlyMemory<byte>, Task<bool>> send = chunked ? http.SendChunkAsync : http.SendAsync;
        var sent = 0;
        var piece = (ReadOnlyMemory<byte>)start;
        while (!answered.IsCompleted && await send(piece))
        {
            sent += piece.Length;
            var rest = length - 2 - sent;
            if (rest <= 0)
            {
                await send("\"}"u8.ToArray());
                if (chunked)
                {
                    await send(ReadOnlyMemory<byte>.Empty);
                }

                return;
            }

            piece = Padding.AsMemory(0, Math.Min(rest, Padding.Length));
        }
    }

    private static async Task<long> SamplePeakAsync(int pid, CancellationToken stop)
    {
        var peak = 0L;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, ResidentBytes(pid));
            await Task.Delay(20, CancellationToken.None);
        }

        return Math.Max(peak, ResidentBytes(pid));
    }

    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static string Items(string page) =>
        System.Text.Json.JsonDocument.Parse(page).RootElement.GetProperty("items").GetRawText();
}
