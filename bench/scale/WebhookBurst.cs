using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cairn.Bench.WebhookLatency;

namespace Cairn.Bench.Scale;

/// <summary>A busy team's morning: many signed pushes, each starting a run of many jobs, sent within one second to one
/// server or alternately to two replicas; every run must end, and each is timed from its webhook to its first step.</summary>
internal static class WebhookBurst
{
    private sealed record Push(int Index, int Repository, string Before, string Sha);

    public static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var servers = arguments.Required("--servers").Split(',').Select(Arguments.Base).ToList();
        var pids = (arguments.Value("--pids") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        var runs = arguments.Number("--runs", 100);
        var repositories = Math.Min(arguments.Number("--repos", 10), runs);
        var jobs = arguments.Number("--jobs", 10);
        var step = arguments.Value("--step") ?? "true";
        var withinMs = arguments.Number("--within-ms", 1000);
        var warmUp = arguments.Number("--warm-up", 0);
        var timeout = TimeSpan.FromSeconds(arguments.Number("--timeout", 600));
        var output = Path.GetFullPath(arguments.Value("--out") ?? Path.Combine("bench", "out", "scale", "webhooks"));
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var marks = Directory.CreateDirectory(Path.Combine(output, "marks")).FullName;

        // A server started as root runs its steps as another user: they must be able to write their marks.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(marks, (UnixFileMode)0x1FF);
        }
        var token = (await File.ReadAllTextAsync(Path.Combine(arguments.Required("--data"), "admin.token"), cancellationToken)).Trim();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        // Every job a one-line shell step (--step, "true" unless given); the first job's first command notes bash's wall
        // clock under the commit's name.
        var pipeline = new StringBuilder($"name: scale\non:\n  push: {{ branches: [main] }}\nenv:\n  MARK_DIR: {marks}\njobs:\n");
        for (var j = 1; j <= jobs; j++)
        {
            pipeline.Append(CultureInfo.InvariantCulture, $"  job-{j:D2}:\n    steps:\n");
            pipeline.Append(j == 1
                ? "      - run: printf '%s\\n' \"$EPOCHREALTIME\" > \"$MARK_DIR/$CAIRN_SHA\"\n"
                : $"      - run: {JsonSerializer.Serialize(step)}\n");
        }

        Console.Error.WriteLine($"  making {repositories} repositories and {runs} commits...");
        var prefix = $"scale-{Guid.NewGuid():N}"[..14];
        var made = new List<(PushedRepository Repository, string Name, string Head)>();
        using var forge = new LoopbackForge();
        using var admin = new CairnClient(servers[0], token);
        for (var r = 0; r < repositories; r++)
        {
            var (repository, first) = await PushedRepository.CreateAsync(
                Directory.CreateDirectory(Path.Combine(output, $"repo-{r:D3}")).FullName, $"# repository {r}: its own commits, so that no two repositories share a SHA (the marks are named by it)\n{pipeline}");
            var name = $"{prefix}/svc-{r:D3}";
            await admin.AddRepositoryAsync(name, repository.CloneUrl, forge.ApiUrl, secret, cancellationToken);
            made.Add((repository, name, first));
        }

        // One untimed push per server first (its run waited for), so that neither the first webhook nor the first run
        // pays for the servers' first requests; then the commits of the burst, all pushed before it starts.
        var clients = servers.Select(s => new CairnClient(s, token)).ToList();
        for (var s = 0; s < servers.Count; s++)
        {
            var (repository, name, head) = made[s % made.Count];
            var sha = await repository.PushNextAsync();
            var warm = await clients[s].SendPushAsync(name, head, sha, secret, cancellationToken);
            await clients[s].WaitForRunAsync(warm.EventId, timeout, cancellationToken);
            made[s % made.Count] = (repository, name, sha);
        }

        using var listing = new HttpClient { BaseAddress = servers[0] };
        listing.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // With --warm-up N, bursts of N runs first at the same pace, each waited for, until the servers' runtime has
        // nearly stopped compiling (its background compiler used under 0.3 s of CPU in the last one; at most 6): the
        // servers then meet the measured burst as servers that have been running meet their next one. A method is
        // compiled again, optimized, only once called often after the runtime's first quiet moment, so one warm-up
        // burst followed by a pause is not enough.
        var warmRounds = 0;
        var compiling = double.NaN;
        while (warmUp > 0 && warmRounds < 6 && !(compiling < 0.3))
        {
            var compiledBefore = ProcessCpu.CompilerSeconds(pids);
            await SendAsync(await CommitAsync(warmUp));
            warmRounds++;
            await WaitForRunsAsync(listing, prefix, servers.Count + warmUp * warmRounds, timeout, cancellationToken);
            compiling = ProcessCpu.CompilerSeconds(pids) - compiledBefore;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up burst {warmRounds} of {warmUp} runs: the servers' compiler used {compiling:0.00} s"));
        }

        var pushes = await CommitAsync(runs);

        // The baselines at the same pace: /healthz answered, and the bare fetch of one commit into a mirror.
        var health = await HealthAnswersAsync(servers, runs, withinMs, cancellationToken);
        var fetches = await FetchBaselineAsync(output, made[0].Repository, pushes.First(p => p.Repository == 0).Before, pushes.Where(p => p.Repository == 0).Select(p => p.Sha).ToList());

        Console.Error.WriteLine($"  sending {runs} signed pushes within {withinMs} ms to {servers.Count} server(s)...");
        var cpuBefore = ProcessCpu.Seconds(pids);
        var compiledAtStart = ProcessCpu.CompilerSeconds(pids);
        var childrenBefore = ProcessCpu.ChildrenSeconds(pids);
        var wall = Stopwatch.StartNew();
        var start = WallClock.NowMicros();
        // /healthz again, sent between the deliveries (half a period after each): what the same servers take to answer
        // their cheapest request at the same moments, which says how much of an answer is the machine's load.
        var healthDuring = HealthAnswersAsync(servers, runs, withinMs, cancellationToken, offsetMs: withinMs / (2.0 * runs));
        var deliveries = await SendAsync(pushes);
        var healthInBurst = await healthDuring;
        var sentWithinMs = (deliveries.Max(d => d.Delivery.SentAtMicros) - start) / 1000.0;

        Console.Error.WriteLine($"  all sent in {sentWithinMs:0} ms; waiting for every run to end...");
        var ended = await WaitForRunsAsync(listing, prefix, runs + servers.Count + warmUp * warmRounds, timeout, cancellationToken);
        var compiled = ProcessCpu.CompilerSeconds(pids) - compiledAtStart;
        var cpu = ProcessCpu.Seconds(pids) - cpuBefore;
        var children = ProcessCpu.ChildrenSeconds(pids) - childrenBefore;
        var wallSeconds = wall.Elapsed.TotalSeconds;

        var bySha = ended.ToDictionary(r => r.Sha);
        var answers = Stats.Of(deliveries.Select(d => d.Delivery.AnswerMs));
        var firstSteps = new List<double>();
        var (planned, waited, prepared, lastCreatedMs) = await StagesAsync(listing, deliveries.Select(d => (d.Push.Sha, d.Delivery.SentAtMicros)).ToList(), bySha, marks, start, cancellationToken);
        var succeeded = 0;
        DateTimeOffset lastEnd = DateTimeOffset.MinValue;
        foreach (var (push, delivery) in deliveries)
        {
            if (!bySha.TryGetValue(push.Sha, out var run))
            {
                continue;
            }

            succeeded += run.Status == "succeeded" ? 1 : 0;
            lastEnd = run.FinishedAt > lastEnd ? run.FinishedAt : lastEnd;
            var mark = Path.Combine(marks, push.Sha);
            if (File.Exists(mark))
            {
                firstSteps.Add((WallClock.ParseEpochRealtime(await File.ReadAllTextAsync(mark, cancellationToken)) - delivery.SentAtMicros) / 1000.0);
            }
        }

        var toFirstStep = Stats.Of(firstSteps);
        var allEndedSeconds = (WallClock.ToMicros(lastEnd) - start) / 1e6;
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"{runs} runs of {jobs} jobs through signed GitHub pushes over {repositories} repositories, sent within {sentWithinMs:0} ms to {servers.Count} server(s){(servers.Count > 1 ? " alternately" : "")}, {(warmRounds > 0 ? $"after {warmRounds} warm-up bursts of {warmUp} runs" : "the servers' first burst")}"));
        Console.WriteLine(string.Create(c, $"  runs completed (succeeded)         {succeeded}/{runs}  {(succeeded == runs ? "met" : "NOT met")} (target: all)"));
        Console.WriteLine(string.Create(c, $"  webhook answer                     {answers}  target p99 < 50 ms: {Stats.Verdict(answers.P99, 50)}"));
        Console.WriteLine(string.Create(c, $"    baseline: GET /healthz, same pace {health}"));
        Console.WriteLine(string.Create(c, $"    GET /healthz during the burst     {healthInBurst}"));
        Console.WriteLine(string.Create(c, $"  webhook → first step (first job)  {toFirstStep}  target p99 < 1 s: {Stats.Verdict(toFirstStep.P99, 1000)} ({toFirstStep.Count} marks)"));
        Console.WriteLine(string.Create(c, $"    baseline: bare git fetch of 1 commit  {fetches}"));
        Console.WriteLine(string.Create(c, $"    webhook sent → run created       {planned}  (the last run created {lastCreatedMs / 1000:0.00} s after the first webhook)"));
        Console.WriteLine(string.Create(c, $"    run created → first job leased   {waited}"));
        Console.WriteLine(string.Create(c, $"    first job leased → its step      {prepared}"));
        Console.WriteLine(string.Create(c, $"  first webhook → last run ended     {allEndedSeconds:0.00} s ({runs * jobs / allEndedSeconds:0} jobs/s)"));
        Console.WriteLine(string.Create(c, $"  server CPU over the burst          {cpu:0.0} s in {wallSeconds:0.0} s ({cpu / wallSeconds * 100:0}% of a core, all replicas, children included: {children:0.0} s of it; the runtime compiling: {compiled:0.0} s)"));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        return 0;

        // The next commit of each repository in turn, pushed to it, as many as asked: what the deliveries will announce.
        async Task<List<Push>> CommitAsync(int count)
        {
            var commits = new List<Push>(count);
            for (var i = 0; i < count; i++)
            {
                var r = i % repositories;
                var (repository, name, head) = made[r];
                var sha = await repository.PushNextAsync();
                commits.Add(new Push(i, r, head, sha));
                made[r] = (repository, name, sha);
            }

            return commits;
        }

        // Each push delivered at its place in the burst's pace, alternately to the servers.
        Task<(Push Push, Delivery Delivery)[]> SendAsync(List<Push> batch) => Task.WhenAll(batch.Select(async push =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds((double)push.Index * withinMs / runs), cancellationToken);
            var delivery = await clients[push.Index % clients.Count].SendPushAsync(made[push.Repository].Name, push.Before, push.Sha, secret, cancellationToken);
            return (push, delivery);
        }));
    }

    /// <summary>GET /healthz as many times as there are pushes, at the same pace and spread over the same servers, the
    /// first <paramref name="offsetMs"/> from now.</summary>
    private static async Task<Stats> HealthAnswersAsync(List<Uri> servers, int count, int withinMs, CancellationToken cancellationToken, double offsetMs = 0)
    {
        using var http = new HttpClient();
        var samples = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(offsetMs + (double)i * withinMs / count), cancellationToken);
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(servers[i % servers.Count], "healthz"), cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return clock.Elapsed.TotalMilliseconds;
        }));
        return Stats.Of(samples);
    }

    /// <summary>The bare fetch of each of a repository's commits, one by one, into a mirror that holds the history before it.</summary>
    private static async Task<Stats> FetchBaselineAsync(string output, PushedRepository repository, string before, List<string> shas)
    {
        var mirror = Path.Combine(output, "mirror.git");
        await Git.RunAsync(output, "init", "-q", "--bare", mirror);
        await Git.RunAsync(mirror, "fetch", "-q", repository.CloneUrl, $"{before}:refs/heads/main");
        var samples = new List<double>();
        foreach (var sha in shas)
        {
            var clock = Stopwatch.StartNew();
            await Git.RunAsync(mirror, "fetch", "-q", repository.CloneUrl, $"{sha}:refs/heads/main");
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Stats.Of(samples);
    }

    private sealed record EndedRun(long Id, string Sha, string Status, DateTimeOffset CreatedAt, DateTimeOffset FinishedAt);

    /// <summary>Where each run's time to its first step went, from the server's own timestamps (run created, first job
    /// started, i.e. leased) and the mark: webhook → run created, → first job leased, → its first step.</summary>
    private static async Task<(Stats Planned, Stats Waited, Stats Prepared, double LastCreatedMs)> StagesAsync(
        HttpClient http, List<(string Sha, long SentAtMicros)> deliveries, Dictionary<string, EndedRun> bySha, string marks, long start, CancellationToken cancellationToken)
    {
        var planned = new List<double>();
        var waited = new List<double>();
        var prepared = new List<double>();
        var lastCreated = 0.0;
        foreach (var (sha, sent) in deliveries)
        {
            if (!bySha.TryGetValue(sha, out var run))
            {
                continue;
            }

            var created = WallClock.ToMicros(run.CreatedAt);
            planned.Add((created - sent) / 1000.0);
            lastCreated = Math.Max(lastCreated, (created - start) / 1000.0);
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/v1/runs/{run.Id}", UriKind.Relative), cancellationToken));
            var first = page.RootElement.GetProperty("jobs").EnumerateArray().FirstOrDefault(j => j.GetProperty("name").GetString() == "job-01");
            if (first.ValueKind != JsonValueKind.Object || first.GetProperty("startedAt").ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var leased = WallClock.ToMicros(first.GetProperty("startedAt").GetDateTimeOffset());
            waited.Add((leased - created) / 1000.0);
            var mark = Path.Combine(marks, sha);
            if (File.Exists(mark))
            {
                prepared.Add((WallClock.ParseEpochRealtime(await File.ReadAllTextAsync(mark, cancellationToken)) - leased) / 1000.0);
            }
        }

        return (Stats.Of(planned), Stats.Of(waited), Stats.Of(prepared), lastCreated);
    }

    /// <summary>Polls the runs list (once a second, so as to load the servers little) until every run of these
    /// repositories has ended.</summary>
    private static async Task<IReadOnlyList<EndedRun>> WaitForRunsAsync(HttpClient http, string prefix, int expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var lastSaid = 0;
        while (true)
        {
            var all = await ListRunsAsync(http, cancellationToken);
            var ours = all.Where(r => r.GetProperty("repo").GetString()?.StartsWith(prefix, StringComparison.Ordinal) == true).ToList();
            var ended = ours.Where(r => r.GetProperty("finishedAt").ValueKind == JsonValueKind.String).ToList();
            if (ours.Count >= expected && ended.Count == ours.Count)
            {
                return [.. ended.Select(r => new EndedRun(r.GetProperty("id").GetInt64(), r.GetProperty("sha").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("createdAt").GetDateTimeOffset(), r.GetProperty("finishedAt").GetDateTimeOffset()))];
            }

            if (clock.Elapsed > timeout)
            {
                Console.Error.WriteLine($"  gave up after {timeout.TotalSeconds:0} s: {ended.Count} of {ours.Count} runs ended ({expected} expected)");
                return [.. ended.Select(r => new EndedRun(r.GetProperty("id").GetInt64(), r.GetProperty("sha").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("createdAt").GetDateTimeOffset(), r.GetProperty("finishedAt").GetDateTimeOffset()))];
            }

            if (clock.Elapsed.TotalSeconds - lastSaid >= 10)
            {
                lastSaid = (int)clock.Elapsed.TotalSeconds;
                Console.Error.WriteLine($"    {ended.Count} of {expected} runs ended");
            }

            await Task.Delay(1000, cancellationToken);
        }
    }

    /// <summary>The newest 500 runs, as the API lists them.</summary>
    private static async Task<IReadOnlyList<JsonElement>> ListRunsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("api/v1/runs?limit=500", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())];
    }
}
