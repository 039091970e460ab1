using System.Data.Common;
using System.Globalization;
using Cairn.Bench.Dashboard;
using Cairn.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Npgsql;

// Usage: dashboard-bench seed --data DIR [--connection PG] [--runs 10000] [--repos 100] [--lines 100000]
//        dashboard-bench measure --server URL --data DIR [--connection PG] [--requests 200] [--follow-seconds 10] [--out DIR]
// seed fills the store a server will start on (SQLite at DIR/cairn.db, or the PostgreSQL database named); measure drives
// that server: each page timed beside its bare queries, then in Chromium a 100,000-line job and a job followed live.
var options = Options.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var seedFile = Path.Combine(options.Data, "bench-seed.json");
DbConnection Connect() => options.Connection is { } postgres
    ? new NpgsqlConnection(postgres)
    : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(options.Data, "cairn.db"), Pooling = false }.ToString());

if (options.Command == "seed")
{
    Directory.CreateDirectory(options.Data);
    var settings = options.Connection is { } pg
        ? new StoreSettings(RunStores.Postgres, pg)
        : new StoreSettings(RunStores.Sqlite, Path.Combine(options.Data, "cairn.db"));
    var clock = System.Diagnostics.Stopwatch.StartNew();
    await using (var store = await RunStores.OpenAsync(settings, TimeProvider.System, cancel.Token))
    {
        var seeded = await Seed.RunAsync(store, Connect, options.Runs, options.Repositories, options.Lines, cancel.Token);
        await Seed.SaveAsync(seedFile, seeded, cancel.Token);
    }

    Console.Error.WriteLine($"  seeded {options.Runs} runs over {options.Repositories} repositories and a {options.Lines}-line log in {clock.Elapsed.TotalSeconds:0.0} s");
    return 0;
}

var seed = await Seed.LoadAsync(seedFile, cancel.Token);
var token = (await File.ReadAllTextAsync(Path.Combine(options.Data, "admin.token"), cancel.Token)).Trim();
Directory.CreateDirectory(options.Out);
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium",
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-precise-memory-info"],
});
var session = await Session.SignInAsync(browser, options.Server.AbsoluteUri.TrimEnd('/'), token);

Console.WriteLine($"Dashboard pages: {seed.Runs} runs over {options.Repositories} repositories ({(options.Connection is null ? "SQLite" : "PostgreSQL")}), "
    + $"{options.Requests} requests each after 10 to warm up; the page timed from request to last byte on the loopback, signed in");
Console.WriteLine($"{"page",-30} {"server: the page",-46} {"baseline: its bare queries",-46} rows");
using (var http = session.Client())
{
    // One pass over every page first, so that the first page timed does not pay for the server's first requests.
    foreach (var page in Pages.Cases(seed))
    {
        await Pages.TimePageAsync(http, page, 20, cancel.Token);
    }

    foreach (var page in Pages.Cases(seed))
    {
        var served = await Pages.TimePageAsync(http, page, options.Requests, cancel.Token);
        var bare = await Pages.TimeQueriesAsync(Connect, page.Queries, options.Requests, cancel.Token);
        var verdict = served.Quantile(0.95) < 50 ? "" : "  over 50 ms";
        Console.WriteLine($"{page.Name,-30} {served.Summary(),-46} {bare.Summary(),-46} {bare.Size}{verdict}");
    }
}

if (options.PagesOnly)
{
    return 0;
}

Console.WriteLine();
Console.Error.WriteLine($"  opening the {seed.LogLines}-line job in Chromium...");
var log = await LongLog.MeasureAsync(browser, session, seed, options.Out);
Console.WriteLine($"The job of {seed.LogLines:N0} lines (colours, a ::group:: every 1,000) on its page, in headless Chromium");
Console.WriteLine($"  first line in the document after navigating     {LongLog.Ms(log.FirstLineMs)}");
Console.WriteLine($"  every line held by the viewer                   {LongLog.Ms(log.AllLoadedMs)}");
Console.WriteLine($"  End pressed → last line in view                {LongLog.Ms(log.EndToLastLineMs)}");
Console.WriteLine($"  tab's JS heap after opening it (after a GC)     {log.HeapMb:0.0} MB, {log.Nodes:0} DOM nodes, {log.RenderedRows} log rows in the document");
Console.WriteLine($"  server search, one hit (needle-77777) → shown   {LongLog.Ms(log.RareSearchMs)}");
Console.WriteLine($"  server search, 'error' ({log.CommonHits}) → first shown  {LongLog.Ms(log.CommonSearchMs)}");
Console.WriteLine("  baselines:");
Console.WriteLine($"    the same lines as a .txt file opened in Chromium: first paint {LongLog.Ms(log.PlainFilePaintMs)}, JS heap {log.PlainFileHeapMb:0.0} MB, {log.PlainFileNodes:0} DOM nodes");
Console.WriteLine($"    the server's raw log.txt fetched by a page, not rendered: {LongLog.Ms(log.RawFetchMs)} for {log.RawFetchMb:0.0} MB");

Console.WriteLine();
Console.Error.WriteLine($"  following a job printing 1,000 lines a second for {options.FollowSeconds} s...");
var follow = await FollowLag.MeasureAsync(browser, session, options.Server, token, options.FollowSeconds, options.Out);
var lags = new Timings(follow.Lags, follow.Shown);
Console.WriteLine($"Following a job printing 1,000 lines a second for {options.FollowSeconds} s: printed → in the page's document");
Console.WriteLine($"  lag {lags.Summary()}; {follow.Shown:N0} of {follow.Printed:N0} lines ever entered the document "
    + $"({follow.Rendered:N0} row insertions in all, as the viewer redraws the rows in view)");
Console.WriteLine($"  baseline, the same lines at a bare Server-Sent Events reader of the log: lag {new Timings(follow.StreamLags, follow.StreamLags.Count).Summary()} "
    + $"over {follow.StreamLags.Count:N0} lines");
return 0;

/// <summary>What to do, from the command line.</summary>
internal sealed record Options(
    string Command, Uri Server, string Data, string? Connection, int Runs, int Repositories, int Lines, int Requests, int FollowSeconds, bool PagesOnly, string Out)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var command = args.FirstOrDefault() is "seed" or "measure" ? args[0] : throw new ArgumentException("seed or measure");
        var server = Value("--server") ?? "http://127.0.0.1:1/";
        return new Options(
            command,
            new Uri(server.EndsWith('/') ? server : server + "/"),
            Path.GetFullPath(Value("--data") ?? throw new ArgumentException("--data DIR is required")),
            Value("--connection"),
            Number("--runs", 10_000),
            Number("--repos", 100),
            Number("--lines", 100_000),
            Number("--requests", 200),
            Number("--follow-seconds", 10),
            args.Contains("--pages-only"),
            Path.GetFullPath(Value("--out") ?? Path.Combine("bench", "out", "dashboard", "driver")));
    }
}
