using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn logs --follow</c> against the real server, through a proxy that can drop the connection.</summary>
public sealed partial class LogFollowTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private LiveServer server = null!;
    private DroppingProxy proxy = null!;

    private string Release => dir.Combine("release");

    public async ValueTask InitializeAsync()
    {
        server = await LiveServer.StartAsync();
        proxy = new DroppingProxy(server.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        await server.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task Follow_prints_lines_while_the_job_runs_and_exits_1_when_it_fails()
    {
        var (run, _) = await server.RunAsync(HeldPipeline("exit 3"));
        await using var cairn = CairnProcess.Start(dir.Path, Env(), "logs", Id(run), "--follow");

        await cairn.WaitForStdoutAsync("line 3\n", TimeSpan.FromSeconds(60));

        // The job waits for the release file, so what cairn printed so far came while it ran.
        Assert.Equal("running", await JobStatusAsync(run));
        await File.WriteAllTextAsync(Release, "", TestContext.Current.CancellationToken);
        var result = await cairn.WaitAsync(CairnProcess.DefaultTimeout);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"], ServerCliTest.Lines(result.Stdout).Where(l => l.StartsWith("line", StringComparison.Ordinal)));
        Assert.Contains("job build failed", result.Stderr, StringComparison.Ordinal);
        ServerCliTest.AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Follow_resumes_after_a_dropped_connection_with_no_line_missed_or_repeated_and_exits_0_when_the_job_succeeds()
    {
        var (run, _) = await server.RunAsync(HeldPipeline("echo done"));
        proxy.CutAfter = "line 2";
        await using var cairn = CairnProcess.Start(dir.Path, Env(), "logs", Id(run), "--job", "build", "--follow", "--json");

        await cairn.WaitForStdoutAsync("line 3", TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(Release, "", TestContext.Current.CancellationToken);
        var result = await cairn.WaitAsync(CairnProcess.DefaultTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, proxy.Cuts);
        var printed = ServerCliTest.Lines(result.Stdout).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var lines = printed[..^1];
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => (long)i), lines.Select(l => l.GetProperty("seq").GetInt64()));
        Assert.Equal(
            ["line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "done"],
            lines.Select(l => l.GetProperty("text").GetString()!).Where(t => t.StartsWith("line", StringComparison.Ordinal) || t == "done"));
        Assert.Equal("succeeded", printed[^1].GetProperty("status").GetString());

        // The second connection asked for what came after the last line printed before the cut.
        var resumed = proxy.Requests.Select(r => LastEventId().Match(r)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var before = Assert.Single(resumed);
        Assert.InRange(before, 2, lines.Count - 4);
        Assert.Contains($"resuming after line {before}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_prints_no_control_sequence_of_the_jobs_output()
    {
        var (run, _) = await server.RunAsync("""
            name: live
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: |
                      printf '\033]0;owned\007compiling\n'
                      printf 'secret\033[2K\033[1Gall good\rreally\n'
            """);
        await using var cairn = CairnProcess.Start(dir.Path, Env(), "logs", Id(run), "--follow");

        var result = await cairn.WaitAsync(CairnProcess.DefaultTimeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertNoControlCharacters(result);
        var lines = ServerCliTest.Lines(result.Stdout);
        Assert.Contains("compiling", lines);
        Assert.Contains("secretall goodreally", lines);
    }

    /// <summary>A job that prints three lines, waits for the release file, prints three more, then runs <paramref name="last"/>.</summary>
    private string HeldPipeline(string last) => $$"""
        name: live
        on: { manual: {} }
        jobs:
          build:
            steps:
              - run: |
                  for i in 1 2 3; do echo "line $i"; done
                  while [ ! -f '{{Release}}' ]; do sleep 0.05; done
                  for i in 4 5 6; do echo "line $i"; sleep 0.1; done
                  {{last}}
        """;

    private Dictionary<string, string?> Env() => new() { ["CAIRN_SERVER"] = proxy.Url, ["CAIRN_TOKEN"] = server.Token };

    private async Task<string> JobStatusAsync(long run)
    {
        using var answer = JsonDocument.Parse(await server.Client.GetStringAsync($"/api/v1/runs/{run}", TestContext.Current.CancellationToken));
        return answer.RootElement.GetProperty("jobs")[0].GetProperty("status").GetString()!;
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Last-Event-ID: (\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex LastEventId();
}
