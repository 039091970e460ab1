using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;

namespace Cairn.Bench.Dashboard;

/// <summary>What the seeding left for the measuring: the run of 20 jobs, the job of the long log, a repository to filter by.</summary>
internal sealed record Seeded(long WideRunId, long WideJobId, long LogRunId, long LogJobId, int LogLines, string Repository, int Runs);

/// <summary>Fills a store, before the server starts on it, with what a busy server has after a long while: runs over many
/// repositories and branches, each with jobs and steps, all ended; one run of 20 jobs; one job of a long log. Runs and
/// jobs are written through the store (as the planner writes them); their ends in one statement per table after.</summary>
internal static class Seed
{
    private static readonly string[] Branches = ["main", "develop", "feature/login", "release/2.0", "fix/flaky-test"];

    public static async Task<Seeded> RunAsync(ICairnStore store, Func<DbConnection> connect, int runs, int repositories, int logLines, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        for (var r = 0; r < repositories; r++)
        {
            await store.AddRepositoryAsync(
                new RepositoryRecord(RepositoryName(r), ForgeKind.GitHub, $"https://git.example/{RepositoryName(r)}.git", "https://api.github.com", "main", null, null, now),
                cancellationToken);
        }

        PlannedJob Job(string name, params string[] needs) =>
            new(name, name, needs, [], """{"steps":[{"name":"checkout"},{"name":"script"}]}""");
        PlannedJob[] three = [Job("build"), Job("test", "build"), Job("deploy", "test")];
        PlannedJob[] twenty = [.. Enumerable.Range(1, 20).Select(i => i <= 4 ? Job($"lint-{i}") : Job($"job-{i:D2}", $"lint-{(i % 4) + 1}"))];

        long wideRun = 0;
        for (var i = 0; i < runs - 1; i++)
        {
            var jobs = i == runs / 2 ? twenty : three;
            var run = await store.CreateRunAsync(new RunPlan("ci", Trigger(i, repositories), jobs), cancellationToken);
            wideRun = i == runs / 2 ? run.Id : wideRun;
            if ((i + 1) % 1000 == 0)
            {
                Console.Error.WriteLine($"  {i + 1} runs written");
            }
        }

        var logRun = await store.CreateRunAsync(new RunPlan("ci", Trigger(runs, repositories), [Job("long-log")]), cancellationToken);
        await EndEverythingAsync(connect, cancellationToken);

        var logJob = (await store.GetJobsAsync(logRun.Id, cancellationToken))[0].Id;

        // The long log is a failed job's, as the logs people read whole mostly are: its script step failed, so the viewer
        // opens that step's lines at once (a passed step starts folded).
        await ExecuteAsync(
            connect,
            [
                $"UPDATE runs SET status = 'failed' WHERE id = {logRun.Id}",
                $"UPDATE jobs SET status = 'failed', exit_code = 1, failure_class = 'script' WHERE id = {logJob}",
                $"UPDATE steps SET status = 'failed', exit_code = 1 WHERE job_id = {logJob} AND idx = 1",
            ],
            cancellationToken);
        var wideJob = (await store.GetJobsAsync(wideRun, cancellationToken))[^1].Id;
        var started = now.AddMinutes(-10);
        const int Batch = 1000;
        for (var from = 1; from <= logLines; from += Batch)
        {
            var batch = Enumerable.Range(from, Math.Min(Batch, logLines - from + 1))
                .Select(n => new StoredLogLine(n, n > 100 ? 1 : 0, LogStream.Stdout, started.AddMilliseconds(n * 5), LogText.Line(n)))
                .ToList();
            await store.AppendLogAsync(logJob, batch, cancellationToken);
        }

        return new Seeded(wideRun, wideJob, logRun.Id, logJob, logLines, RepositoryName(7), runs);
    }

    public static string RepositoryName(int r) => $"bench/service-{r:D3}";

    private static TriggerEvent Trigger(int i, int repositories) => new(
        i % 10 == 9 ? TriggerKind.PullRequest : TriggerKind.Push,
        RepositoryName(i % repositories),
        "refs/heads/" + Branches[i / repositories % Branches.Length],
        (0xabc0000L + i).ToString("x40", CultureInfo.InvariantCulture),
        new Dictionary<string, string>())
    {
        Sender = "octocat",
    };

    /// <summary>Every run ends: one in seven failed (its test job failed, deploy skipped), one in fifty cancelled, the rest
    /// succeeded; every job gets a checkout and a script step.</summary>
    private static Task EndEverythingAsync(Func<DbConnection> connect, CancellationToken cancellationToken) => ExecuteAsync(
        connect,
        [
            """
            UPDATE runs SET
                status = CASE WHEN id % 7 = 0 THEN 'failed' WHEN id % 50 = 0 THEN 'cancelled' ELSE 'succeeded' END,
                started_at = created_at, finished_at = created_at + 90000
            """,
            """
            UPDATE jobs SET
                status = CASE WHEN run_id % 7 = 0 AND name = 'test' THEN 'failed'
                              WHEN run_id % 7 = 0 AND name = 'deploy' THEN 'skipped'
                              WHEN run_id % 50 = 0 AND name = 'deploy' THEN 'cancelled'
                              ELSE 'succeeded' END,
                exit_code = CASE WHEN run_id % 7 = 0 AND name = 'test' THEN 1 ELSE 0 END,
                attempt = 1,
                started_at = (SELECT created_at FROM runs WHERE runs.id = jobs.run_id) + ordinal * 20000,
                finished_at = (SELECT created_at FROM runs WHERE runs.id = jobs.run_id) + ordinal * 20000 + 15000
            """,
            """
            INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
            SELECT id, 0, 'checkout', 'succeeded', 0, started_at, started_at + 2000 FROM jobs
            """,
            """
            INSERT INTO steps (job_id, idx, name, status, exit_code, started_at, finished_at)
            SELECT id, 1, 'script', status, exit_code, started_at + 2000, finished_at FROM jobs WHERE status <> 'skipped'
            """,
        ],
        cancellationToken);

    private static async Task ExecuteAsync(Func<DbConnection> connect, IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static async Task SaveAsync(string path, Seeded seeded, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(seeded), cancellationToken);

    public static async Task<Seeded> LoadAsync(string path, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<Seeded>(await File.ReadAllTextAsync(path, cancellationToken))
        ?? throw new InvalidOperationException($"{path} holds no seed");
}

/// <summary>The long log's lines: mostly plain build output, some in colour, a ::group:: section every 1,000 lines.</summary>
internal static class LogText
{
    public static string Line(int n) => (n % 1000) switch
    {
        1 => $"::group::Compile module {n / 1000}",
        999 => "::endgroup::",
        _ when n % 97 == 0 => $"\u001b[31merror\u001b[0m: test case {n} failed: expected \u001b[32m200\u001b[0m, got \u001b[31m500\u001b[0m",
        _ when n % 13 == 0 => $"\u001b[33mwarning\u001b[0m: unused variable 'tmp{n}' in src/module{n % 50}/file{n % 7}.c:{n % 400}",
        _ => $"[{n,6}] compiling src/module{n % 50}/file{n % 7}.c -> build/obj/module{n % 50}/file{n % 7}.o (needle-{n})",
    };
}
