using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Bench.SseFollowers;
using Cairn.Bench.WebhookLatency;

// Usage: sse-followers --server URL --data DIR [--followers 200] [--lines 400] [--interval-ms 50] [--server-pid PID]
//                      [--follow-server URL] [--out DIR]
// Drives a running `cairn server` (its admin token is read from DIR/admin.token): a manual run whose one job prints
// numbered lines steadily, each with the wall clock it was printed at, followed live over Server-Sent Events by many
// followers at once; then the same job followed by one. Per line and follower: arrival minus printing. With
// --follow-server the followers read from another replica (on the same PostgreSQL) than the one running the job.
var options = Options.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

if (Directory.Exists(options.Out))
{
    Directory.Delete(options.Out, recursive: true);
}

var root = Directory.CreateDirectory(Path.Combine(options.Out, "repository")).FullName;
var interval = (options.IntervalMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

// $EPOCHREALTIME is bash's wall clock, read without starting another process. The job waits for its start file, so
// that every follower is connected before the first line.
var pipeline = $$$"""
    name: stream
    on: { manual: { inputs: { start: { default: none } } } }
    env: { START: "${{ inputs.start }}" }
    jobs:
      print:
        steps:
          - run: |
              while [ ! -f "$START" ]; do sleep 0.02; done
              for i in $(seq 1 {{{options.Lines}}}); do printf 'line %s %s\n' "$i" "$EPOCHREALTIME"; sleep {{{interval}}}; done
    """;
var (repository, _) = await PushedRepository.CreateAsync(root, pipeline);
var token = (await File.ReadAllTextAsync(Path.Combine(options.Data, "admin.token"), cancel.Token)).Trim();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
{
    BaseAddress = options.Server,
    Timeout = Timeout.InfiniteTimeSpan,
};
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
using var followHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue })
{
    BaseAddress = options.FollowServer ?? options.Server,
    Timeout = Timeout.InfiniteTimeSpan,
};
followHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

// A name of its own, so that a database kept from an earlier run (PostgreSQL) takes it as new.
var name = $"bench/stream-{Guid.NewGuid():N}"[..24];
var added = await http.PostAsJsonAsync("api/v1/repos", new { name, forge = "github", cloneUrl = repository.CloneUrl }, cancel.Token);
if (!added.IsSuccessStatusCode)
{
    throw new InvalidOperationException($"adding the repository answered {(int)added.StatusCode}: {await added.Content.ReadAsStringAsync(cancel.Token)}");
}

var results = new List<Scenario>();
foreach (var followers in new[] { options.Followers, 1 })
{
    Console.Error.WriteLine($"  {followers} follower(s) of {options.Lines} lines, one every {options.IntervalMs} ms...");
    results.Add(await RunScenarioAsync(followers));
}

Report.Print(options, results);
return 0;

async Task<Scenario> RunScenarioAsync(int count)
{
    var start = Path.Combine(options.Out, $"start-{count}");
    var response = await http.PostAsJsonAsync($"api/v1/repos/{name}/runs", new { @ref = "main", inputs = new { start } }, cancel.Token);
    var text = await response.Content.ReadAsStringAsync(cancel.Token);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"the run did not start: {(int)response.StatusCode} {text}");
    }

    using var run = JsonDocument.Parse(text);
    var runId = run.RootElement.GetProperty("id").GetInt64();
    var jobId = run.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64();
    var path = $"api/v1/runs/{runId}/jobs/{jobId}/log/stream";
    var followers = Enumerable.Range(0, count).Select(_ => new Follower(followHttp, path)).ToList();
    using var done = new Disposer(followers);

    // Connect in waves of 50, as a crowd of browsers would, without a SYN flood on the loopback.
    foreach (var wave in followers.Chunk(50))
    {
        await Task.WhenAll(wave.Select(f => f.ConnectAsync(cancel.Token)));
    }

    var reading = followers.Select(f => Task.Run(() => f.ReadAsync(cancel.Token))).ToList();
    var cpuBefore = ServerCpu.Seconds(options.ServerPid);
    var wall = System.Diagnostics.Stopwatch.StartNew();
    await File.WriteAllTextAsync(start, "", cancel.Token);
    await Task.WhenAll(reading);
    return new Scenario(count, followers, wall.Elapsed, ServerCpu.Seconds(options.ServerPid) - cpuBefore);
}

/// <summary>What to run, from the command line.</summary>
internal sealed record Options(Uri Server, string Data, int Followers, int Lines, int IntervalMs, int? ServerPid, Uri? FollowServer, string Out)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        static Uri Base(string url) => new(url.EndsWith('/') ? url : url + "/");
        var server = Value("--server") ?? throw new ArgumentException("--server URL is required");
        return new Options(
            Base(server),
            Value("--data") ?? throw new ArgumentException("--data DIR (the server's data directory) is required"),
            Number("--followers", 200),
            Number("--lines", 400),
            Number("--interval-ms", 50),
            Value("--server-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Value("--follow-server") is { } follow ? Base(follow) : null,
            Path.GetFullPath(Value("--out") ?? Path.Combine("bench", "out", "sse-followers", "driver")));
    }
}

/// <summary>One scenario's followers, how long it took from the start file to the last end event, and the server's CPU
/// time meanwhile (null when its pid was not given).</summary>
internal sealed record Scenario(int Count, IReadOnlyList<Follower> Followers, TimeSpan Wall, double? ServerCpuSeconds);

/// <summary>The server's CPU time (user + system) from /proc.</summary>
internal static class ServerCpu
{
    public static double? Seconds(int? pid)
    {
        if (pid is not { } id || !File.Exists($"/proc/{id}/stat"))
        {
            return null;
        }

        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }
}

/// <summary>Disposes the followers of a scenario however it ends.</summary>
internal sealed class Disposer(IEnumerable<IDisposable> owned) : IDisposable
{
    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }
    }
}
