using System.Data.Common;
using System.Diagnostics;
using System.Globalization;

namespace Cairn.Bench.Dashboard;

/// <summary>One page of the dashboard and the statements its store reads run, written out as bare SQL (the same tables,
/// filters, order and limits; every column) to time beside it.</summary>
internal sealed record PageCase(string Name, string Path, IReadOnlyList<string> Queries);

/// <summary>Per page: the server's answer timed from request to last byte on the loopback, signed in with the dashboard's
/// cookie; then the page's bare queries on a connection of their own.</summary>
internal static class Pages
{
    public static IReadOnlyList<PageCase> Cases(Seeded seed)
    {
        var repo = seed.Repository;
        const string Latest = "SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE repository IS NOT NULL GROUP BY repository, ref) ORDER BY repository, ref";
        const string Repositories = "SELECT * FROM repositories ORDER BY name_key";
        string Run(long id) => $"SELECT * FROM runs WHERE id = {id}";
        string Jobs(long id) => $"SELECT * FROM jobs WHERE run_id = {id} ORDER BY ordinal";
        return
        [
            new("/", "/", [Repositories, Latest]),
            new("/repos", "/repos", [Repositories, Latest]),
            new("/runs", "/runs", ["SELECT * FROM runs ORDER BY id DESC LIMIT 51"]),
            new("/runs?repo=…&status=failed", $"/runs?repo={Uri.EscapeDataString(repo)}&status=failed",
                [$"SELECT * FROM runs WHERE repository = '{repo}' AND status = 'failed' ORDER BY id DESC LIMIT 51"]),
            new("/runs?branch=release/2.0", "/runs?branch=release%2F2.0",
                ["SELECT * FROM runs WHERE ref = 'refs/heads/release/2.0' ORDER BY id DESC LIMIT 51"]),
            new("/runs/{id} (20 jobs)", $"/runs/{seed.WideRunId}",
                [Run(seed.WideRunId), Jobs(seed.WideRunId),
                 $"SELECT * FROM steps WHERE job_id IN (SELECT id FROM jobs WHERE run_id = {seed.WideRunId}) ORDER BY job_id, idx",
                 $"SELECT * FROM repositories WHERE name_key = 'bench/service-000'"]),
            new("/runs/{id}/jobs/{jobId}", $"/runs/{seed.WideRunId}/jobs/{seed.WideJobId}",
                [Run(seed.WideRunId), Jobs(seed.WideRunId), $"SELECT * FROM steps WHERE job_id = {seed.WideJobId} ORDER BY idx"]),
            new("/events", "/events", ["SELECT * FROM event_journal ORDER BY id DESC LIMIT 200"]),
            new("/audit", "/audit", ["SELECT * FROM secret_audit ORDER BY id DESC LIMIT 200"]),
        ];
    }

    public static async Task<Timings> TimePageAsync(HttpClient http, PageCase page, int requests, CancellationToken cancellationToken)
    {
        var samples = new List<double>(requests);
        long bytes = 0;
        for (var i = 0; i < requests + 10; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(page.Path, UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            clock.Stop();
            if (!response.IsSuccessStatusCode || response.RequestMessage?.RequestUri?.AbsolutePath == "/login")
            {
                throw new InvalidOperationException($"{page.Path} answered {(int)response.StatusCode} at {response.RequestMessage?.RequestUri}");
            }

            // The first ten warm the server up (JIT, the connection pool, the database's cache) and are not counted.
            if (i >= 10)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
                bytes = body.Length;
            }
        }

        return new Timings(samples, bytes);
    }

    public static async Task<Timings> TimeQueriesAsync(Func<DbConnection> connect, IReadOnlyList<string> queries, int requests, CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        var samples = new List<double>(requests);
        long rows = 0;
        for (var i = 0; i < requests + 10; i++)
        {
            var clock = Stopwatch.StartNew();
            rows = 0;
            foreach (var sql in queries)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    for (var c = 0; c < reader.FieldCount; c++)
                    {
                        _ = reader.GetValue(c);
                    }

                    rows++;
                }
            }

            clock.Stop();
            if (i >= 10)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return new Timings(samples, rows);
    }
}

/// <summary>Samples in milliseconds and a size (bytes of the page, or rows of the queries).</summary>
internal sealed record Timings(IReadOnlyList<double> Samples, long Size)
{
    public double Quantile(double q)
    {
        if (Samples.Count == 0)
        {
            return double.NaN;
        }

        var sorted = Samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    public string Summary() => string.Create(
        CultureInfo.InvariantCulture, $"p50 {Quantile(0.5),7:0.00} ms  p95 {Quantile(0.95),7:0.00} ms  max {Samples.Max(),7:0.00} ms");
}
