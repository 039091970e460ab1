using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Cairn.Bench.WebhookLatency;

// Usage: webhook-latency --server URL --data DIR [--pushes 300] [--warmup 5] [--out DIR]
// Drives a running `cairn server` (its admin token is read from DIR/admin.token): signed GitHub pushes of new commits
// to a local bare repository, one after another, timed from just before each webhook is sent to the first step's
// first command; beside it, the bare `git fetch` of each commit into a bare mirror, right after its run.
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

var marks = Directory.CreateDirectory(Path.Combine(options.Out, "marks")).FullName;
var root = Directory.CreateDirectory(Path.Combine(options.Out, "repository")).FullName;

// $EPOCHREALTIME is bash's wall clock, read without starting another process.
var pipeline = $"""
    name: latency
    on:
      push: {"{"} branches: [main] {"}"}
    env:
      MARK_DIR: {marks}
    jobs:
      mark:
        steps:
          - run: printf '%s\n' "$EPOCHREALTIME" > "$MARK_DIR/$CAIRN_SHA"
    """;
var (repository, first) = await PushedRepository.CreateAsync(root, pipeline);
var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
var token = (await File.ReadAllTextAsync(Path.Combine(options.Data, "admin.token"), cancel.Token)).Trim();

using var forge = new LoopbackForge();
using var client = new CairnClient(options.Server, token);
const string Name = "bench/app";
await client.AddRepositoryAsync(Name, repository.CloneUrl, forge.ApiUrl, secret, cancel.Token);

// The baseline: a bare mirror that, like the server's, already holds the history before each commit. Each commit is
// fetched into it right after its run, so that both figures see the same moment's load. The fetch names a ref to keep
// the commit under, as the server's mirror does: with no ref, git would have nothing to offer in the negotiation and
// every fetch would carry the whole history again.
var mirror = Path.Combine(options.Out, "mirror.git");
await Git.RunAsync(options.Out, "init", "-q", "--bare", mirror);
await Git.RunAsync(mirror, "fetch", "-q", repository.CloneUrl, $"{first}:refs/heads/main");

var samples = new List<Sample>();
var fetches = new List<double>();
var before = first;
for (var i = 1; i <= options.Warmup + options.Pushes; i++)
{
    var sha = await repository.PushNextAsync();
    var delivery = await client.SendPushAsync(Name, before, sha, secret, cancel.Token);
    var mark = await WaitForMarkAsync(Path.Combine(marks, sha), options.Timeout, cancel.Token);
    var run = await client.WaitForRunAsync(delivery.EventId, options.Timeout, cancel.Token);
    if (run.Status != "succeeded")
    {
        throw new InvalidOperationException($"run {run.RunId} of {sha} ended {run.Status}");
    }

    var clock = Stopwatch.StartNew();
    await Git.RunAsync(mirror, "fetch", "-q", repository.CloneUrl, $"{sha}:refs/heads/main");
    var fetched = clock.Elapsed.TotalMilliseconds;
    if (i > options.Warmup)
    {
        samples.Add(new Sample(delivery, mark, run));
        fetches.Add(fetched);
    }

    before = sha;
    if (i % 50 == 0)
    {
        Console.Error.WriteLine($"  {i} pushes");
    }
}

Report.Print(options, samples, fetches, forge.Statuses);
return 0;

// The step's mark: its first command's wall clock, written once the file is complete (a line).
static async Task<long> WaitForMarkAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < timeout)
    {
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken) is { Length: > 0 } text && text.EndsWith('\n'))
        {
            return WallClock.ParseEpochRealtime(text);
        }

        await Task.Delay(2, cancellationToken);
    }

    throw new TimeoutException($"no step started for {Path.GetFileName(path)} within {timeout.TotalSeconds:F0} s (see the server's log)");
}

/// <summary>What to run, from the command line.</summary>
internal sealed record Options(Uri Server, string Data, int Pushes, int Warmup, TimeSpan Timeout, string Out)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var server = Value("--server") ?? throw new ArgumentException("--server URL is required");
        return new Options(
            new Uri(server.EndsWith('/') ? server : server + "/"),
            Value("--data") ?? throw new ArgumentException("--data DIR (the server's data directory) is required"),
            Number("--pushes", 300),
            Number("--warmup", 5),
            TimeSpan.FromSeconds(Number("--timeout", 60)),
            Path.GetFullPath(Value("--out") ?? Path.Combine("bench", "out", "webhook-latency", "driver")));
    }
}
