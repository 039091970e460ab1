using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Bench.Scale;

/// <summary>The runs list at a long history: <c>GET /api/v1/runs</c> (first page, a filtered page, a later page) with the
/// admin token, and the dashboard's <c>/runs</c> signed in, each timed from request to last byte on the loopback, beside
/// the bare SQL the page runs on a connection of its own.</summary>
internal static partial class PageTimings
{
    private sealed record PageCase(string Name, string Path, bool Dashboard, IReadOnlyList<string> Queries);

    public static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var server = Arguments.Base(arguments.Required("--server"));
        var requests = arguments.Number("--requests", 200);
        var target = StoreTarget.From(arguments);
        var seed = JsonSerializer.Deserialize<SeededHistory>(await File.ReadAllTextAsync(target.SeedFile, cancellationToken))!;
        var token = (await File.ReadAllTextAsync(Path.Combine(arguments.Required("--data"), "admin.token"), cancellationToken)).Trim();

        if (arguments.Value("--pid") is { } pid)
        {
            var settled = await ProcessCpu.SettleAsync(int.Parse(pid, CultureInfo.InvariantCulture), TimeSpan.FromMinutes(3), cancellationToken);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  the server settled after {settled.TotalSeconds:0} s of start-up (reading every repository's schedules)"));
        }

        using var api = new HttpClient { BaseAddress = server };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var dashboard = await SignInAsync(server, token, cancellationToken);

        var repo = seed.Repository;
        var later = seed.NewestRunId - (seed.Runs / 2);
        const string Runs = "SELECT * FROM runs";
        const string Latest = "SELECT coalesce(max(id), 0) FROM run_changes";
        var cases = new PageCase[]
        {
            new("API first page", "api/v1/runs", false, [$"{Runs} ORDER BY id DESC LIMIT 51"]),
            new("API repo + status=failed", $"api/v1/runs?repo={Uri.EscapeDataString(repo)}&status=failed", false,
                [$"{Runs} WHERE repository = '{repo}' AND status = 'failed' ORDER BY id DESC LIMIT 51"]),
            new("API later page (cursor=)", $"api/v1/runs?cursor={later}", false, [$"{Runs} WHERE id < {later} ORDER BY id DESC LIMIT 51"]),
            new("/runs", "runs", true, [Latest, $"{Runs} ORDER BY id DESC LIMIT 51"]),
            new("/runs?repo=…&status=failed", $"runs?repo={Uri.EscapeDataString(repo)}&status=failed", true,
                [Latest, $"{Runs} WHERE repository = '{repo}' AND status = 'failed' ORDER BY id DESC LIMIT 51"]),
            new("/runs?before=…", $"runs?before={later}", true, [Latest, $"{Runs} WHERE id < {later} ORDER BY id DESC LIMIT 51"]),
            // An event no run has: without an index on it, the whole history is walked to find that out.
            new("/runs?event=schedule", "runs?event=schedule", true, [Latest, $"{Runs} WHERE event = 'schedule' ORDER BY id DESC LIMIT 51"]),
        };

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"The runs list with {seed.Runs:N0} runs ({seed.Repositories} repositories) and {seed.Lines:N0} log lines in the store ({target.Name}); {requests} requests each after 10 to warm up"));
        foreach (var page in cases)
        {
            var served = await TimePageAsync(page.Dashboard ? dashboard : api, page.Path, requests, cancellationToken);
            var bare = await TimeQueriesAsync(target, page.Queries, requests, cancellationToken);
            Console.WriteLine(string.Create(c, $"  {page.Name,-28} server {served}  target p99 < 50 ms: {Stats.Verdict(served.P99, 50)}"));
            Console.WriteLine(string.Create(c, $"  {"",-28} bare   {bare}  (its SQL)"));
        }

        return 0;
    }

    /// <summary>Signs in as a person does: the admin token pasted into /login's form (with its antiforgery fields).</summary>
    private static async Task<HttpClient> SignInAsync(Uri server, string token, CancellationToken cancellationToken)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = server };
        var form = await http.GetStringAsync(new Uri("login", UriKind.Relative), cancellationToken);
        var fields = new Dictionary<string, string>();
        foreach (Match tag in InputTag().Matches(form))
        {
            var attributes = Attribute().Matches(tag.Value).ToDictionary(a => a.Groups["attribute"].Value, a => WebUtility.HtmlDecode(a.Groups["value"].Value));
            if (attributes.GetValueOrDefault("type") == "hidden" && attributes.TryGetValue("name", out var name))
            {
                fields[name] = attributes.GetValueOrDefault("value") ?? "";
            }
        }

        fields["Form.Token"] = token;
        using var answer = await http.PostAsync(new Uri("login", UriKind.Relative), new FormUrlEncodedContent(fields), cancellationToken);
        using var check = await http.GetAsync(new Uri("runs", UriKind.Relative), cancellationToken);
        return check.StatusCode == HttpStatusCode.OK
            ? http
            : throw new InvalidOperationException($"signing in did not take: /login answered {(int)answer.StatusCode}, /runs then {(int)check.StatusCode}");
    }

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex InputTag();

    [GeneratedRegex("(?<attribute>[a-z]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex Attribute();

    private static async Task<Stats> TimePageAsync(HttpClient http, string path, int requests, CancellationToken cancellationToken)
    {
        var samples = new List<double>(requests);
        for (var i = 0; i < requests + 10; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            clock.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
            }

            if (i >= 10)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return Stats.Of(samples);
    }

    private static async Task<Stats> TimeQueriesAsync(StoreTarget target, IReadOnlyList<string> queries, int requests, CancellationToken cancellationToken)
    {
        await using DbConnection connection = target.Connect();
        await connection.OpenAsync(cancellationToken);
        var samples = new List<double>(requests);
        for (var i = 0; i < requests + 10; i++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var sql in queries)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    for (var f = 0; f < reader.FieldCount; f++)
                    {
                        _ = reader.GetValue(f);
                    }
                }
            }

            clock.Stop();
            if (i >= 10)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return Stats.Of(samples);
    }
}
