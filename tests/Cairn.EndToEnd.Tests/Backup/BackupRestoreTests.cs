using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Cairn.Cli.Tests;
using Cairn.Core.Runs;
using Cairn.Server.Tests;
using Cairn.Storage;
using Cairn.Storage.Tests;

namespace Cairn.EndToEnd.Tests.Backup;

/// <summary>A backup taken with <c>cairn backup</c> while a real <c>cairn server</c> runs jobs, the server then killed,
/// the backup restored with <c>cairn restore</c> into a new data directory (and a new PostgreSQL database), and a new
/// server started on it: the runs are there, the job that was running is reclaimed and ends, a new run succeeds with a
/// new id, and a sealed secret set before the backup is still readable (the master key came along).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupRestoreTests
{
    private const string Secret = "kept-across-the-restore-7f3a";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A lease that expires soon after the server dies, so the restored server reclaims its jobs at once.</summary>
    private static readonly string[] ServerArgs = ["--concurrency", "2", "--lease", "3s", "--heartbeat", "1s", "--job-user", "root"];

    [Fact]
    public async Task A_sqlite_backup_taken_while_runs_execute_restores_into_a_server_that_continues()
    {
        using var directory = new TempDirectory();
        await BackUpAndRestoreAsync(directory, [], []);
    }

    [PostgresFact]
    public async Task A_postgres_backup_taken_while_runs_execute_restores_into_a_server_that_continues()
    {
        using var directory = new TempDirectory();
        await using var original = await PostgresTestDatabase.CreateAsync();
        await using var restored = await PostgresTestDatabase.CreateAsync();
        var tools = new[] { "--pg-dump", "/usr/lib/postgresql/15/bin/pg_dump" }.Where(_ => File.Exists("/usr/lib/postgresql/15/bin/pg_dump")).ToArray();
        var restoreTools = File.Exists("/usr/lib/postgresql/15/bin/pg_restore") ? new[] { "--pg-restore", "/usr/lib/postgresql/15/bin/pg_restore" } : [];
        await BackUpAndRestoreAsync(
            directory,
            ["--store", "postgres", "--connection", original.ConnectionString!, .. tools],
            ["--store", "postgres", "--connection", restored.ConnectionString!, .. restoreTools],
            restored.ConnectionString);
    }

    [Fact]
    public async Task A_backup_refuses_to_write_into_the_data_directory_over_something_or_without_one()
    {
        using var directory = new TempDirectory();
        var data = directory.Combine("data");
        var missing = await CairnProcess.RunAsync(directory.Path, Clean, "backup", "--data", data, "--output", directory.Combine("backup"));
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("there is no data directory", missing.Stderr, StringComparison.Ordinal);

        await using (var server = await ServerAsync(directory, data, []))
        {
            var inside = await CairnProcess.RunAsync(directory.Path, Clean, "backup", "--data", data, "--output", Path.Combine(data, "backup"));
            Assert.True(inside.ExitCode == 1, inside.ToString());
            Assert.Contains("must lie outside the data directory", inside.Stderr, StringComparison.Ordinal);

            Directory.CreateDirectory(directory.Combine("full"));
            await File.WriteAllTextAsync(directory.Combine("full", "kept"), "x", Token);
            var full = await CairnProcess.RunAsync(directory.Path, Clean, "backup", "--data", data, "--output", directory.Combine("full"));
            Assert.True(full.ExitCode == 1, full.ToString());
            Assert.Contains("is not empty", full.Stderr, StringComparison.Ordinal);
            Assert.Equal("x", await File.ReadAllTextAsync(directory.Combine("full", "kept"), Token));

            var taken = await CairnProcess.RunAsync(directory.Path, Clean, "backup", "--data", data, "--output", directory.Combine("backup"));
            Assert.True(taken.ExitCode == 0, taken.ToString());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory.Combine("backup")));
            foreach (var file in Directory.EnumerateFiles(directory.Combine("backup")))
            {
                Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
            }

            // The data directory a server is using is not empty: a restore never lands there.
            var over = await CairnProcess.RunAsync(directory.Path, Clean, "restore", "--from", directory.Combine("backup"), "--data", data);
            Assert.True(over.ExitCode == 1, over.ToString());
            Assert.Contains("is not empty", over.Stderr, StringComparison.Ordinal);

            // Nor over a database file that exists; and a refused restore leaves no data directory behind.
            var fresh = directory.Combine("fresh");
            var overDatabase = await CairnProcess.RunAsync(
                directory.Path, Clean, "restore", "--from", directory.Combine("backup"), "--data", fresh, "--connection", Path.Combine(data, "cairn.db"));
            Assert.True(overDatabase.ExitCode == 1, overDatabase.ToString());
            Assert.Contains("exists; restore into a new one", overDatabase.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(fresh));
        }
    }

    private static readonly Dictionary<string, string?> Clean = new()
    {
        ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null, ["CAIRN_MASTER_KEY"] = null, ["CAIRN_DATA"] = null, ["KUBECONFIG"] = null,
    };

    private static async Task BackUpAndRestoreAsync(TempDirectory directory, string[] storeArgs, string[] restoreArgs, string? restoredConnection = null)
    {
        using var repo = new GitRepository();
        var data = directory.Combine("data");
        var serverStoreArgs = storeArgs.Where((a, i) => !a.StartsWith("--pg-", StringComparison.Ordinal) && (i == 0 || !storeArgs[i - 1].StartsWith("--pg-", StringComparison.Ordinal))).ToArray();
        long before;
        long running;
        long runningJob;
        await using (var first = await ServerAsync(directory, data, serverStoreArgs))
        {
            await first.AddRepositoryAsync(repo);
            await first.SetSecretAsync("SEALED", Secret);
            repo.Commit(Pipeline(steps: 3, pause: "0.1"));
            before = await first.TriggerAsync();
            Assert.Equal(RunStatus.Succeeded, (await first.WaitForRunAsync(before)).Status);

            repo.Commit(Pipeline(steps: 30, pause: "0.5"));
            running = await first.TriggerAsync();
            runningJob = (await first.JobsAsync(running)).Single();
            await first.WaitForLogLineAsync(runningJob, "wrote 3");

            var backup = await CairnProcess.RunAsync(directory.Path, Clean, ["backup", "--data", data, "--output", directory.Combine("backup"), .. storeArgs]);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            Assert.True(File.Exists(directory.Combine("backup", "master.key")), backup.ToString());
            Assert.Equal(RunStatus.Running, (await first.RunAsync(running)).Status);

            await first.Process.SignalAsync("KILL");
            await first.Process.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var restoredData = directory.Combine("restored");
        var restore = await CairnProcess.RunAsync(directory.Path, Clean, ["restore", "--from", directory.Combine("backup"), "--data", restoredData, .. restoreArgs]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.False(Directory.Exists(Path.Combine(restoredData, "git")), "git mirrors are not kept: the server makes them again");

        var restoredStoreArgs = restoredConnection is null ? Array.Empty<string>() : ["--store", "postgres", "--connection", restoredConnection];
        await using var second = await ServerAsync(directory, restoredData, restoredStoreArgs);
        Assert.Equal(RunStatus.Succeeded, (await second.RunAsync(before)).Status);

        // The job that ran at backup time held a lease no process holds any more: it expires, the attempt is lost
        // (infra), and the job's retry runs it again to its end on the new server.
        var reclaimed = await second.WaitForRunAsync(running);
        var log = await second.LogAsync(runningJob);
        Assert.True(reclaimed.Status == RunStatus.Succeeded, $"{reclaimed.Status}\n{string.Join('\n', log)}\n{second.Process.StdoutSoFar}");
        Assert.Contains(log, l => l.Contains("its lease expired at", StringComparison.Ordinal));
        Assert.Contains("wrote 30", log);
        Assert.Equal(2, (await second.JobAsync(runningJob)).Attempt);

        repo.Commit(SecretPipeline);
        var after = await second.TriggerAsync();
        Assert.True(after > running, $"the new run's id {after} follows the restored ones ({running})");
        var ended = await second.WaitForRunAsync(after);
        var afterJob = (await second.JobsAsync(after)).Single();
        Assert.True(ended.Status == RunStatus.Succeeded, $"{ended.Status}\n{string.Join('\n', await second.LogAsync(afterJob))}");
        Assert.Contains("the sealed secret reads as it was set", await second.LogAsync(afterJob));
    }

    private static string Pipeline(int steps, string pause) => $$"""
        jobs:
          work:
            retry: { max: 1, on: [infra], backoff: 1s }
            steps:
              - run: |
                  for i in $(seq 1 {{steps}}); do echo "wrote $i" >> out.txt; echo "wrote $i"; sleep {{pause}}; done
        """;

    private const string SecretPipeline = $$"""
        jobs:
          check:
            secrets: [SEALED]
            steps:
              - run: |
                  if [ "$SEALED" = "{{Secret}}" ]; then echo "the sealed secret reads as it was set"; else echo "the sealed secret differs"; exit 1; fi
        """;

    private static async Task<RestoreServer> ServerAsync(TempDirectory directory, string data, string[] storeArgs)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var process = CairnProcess.Start(directory.Path, Clean, ["server", "--data", data, "--urls", url, .. ServerArgs, .. storeArgs]);
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var health = await client.GetAsync("/healthz", Token);
                    return health.IsSuccessStatusCode && File.Exists(Path.Combine(data, "admin.token"));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !Token.IsCancellationRequested)
                {
                    return false;
                }
            },
            $"the server to answer on {url}",
            TimeSpan.FromSeconds(60));
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"), Token)).Trim();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var store = await RunStores.OpenAsync(
            Array.IndexOf(storeArgs, "--connection") is var at and >= 0
                ? new StoreSettings(RunStores.Postgres, storeArgs[at + 1])
                : new StoreSettings(RunStores.Sqlite, Path.Combine(data, "cairn.db")),
            TimeProvider.System,
            Token);
        return new RestoreServer(process, client, store);
    }

    /// <summary>One <c>cairn server</c> process, its admin client, and the store it writes, read beside it.</summary>
    private sealed class RestoreServer(CairnProcess process, HttpClient client, ICairnStore store) : IAsyncDisposable
    {
        private const string Repository = "octo/app";

        public CairnProcess Process => process;

        public async Task AddRepositoryAsync(GitRepository repo)
        {
            using var added = await client.PostAsJsonAsync("/api/v1/repos", new { name = Repository, forge = "github", cloneUrl = repo.CloneUrl }, Token);
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));
        }

        public async Task SetSecretAsync(string name, string value)
        {
            using var set = await client.PutAsJsonAsync($"/api/v1/repos/{Repository}/secrets/{name}", new { value }, Token);
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(Token));
        }

        public async Task<long> TriggerAsync()
        {
            using var response = await client.PostAsJsonAsync($"/api/v1/repos/{Repository}/runs", new { @ref = "main" }, Token);
            var text = await response.Content.ReadAsStringAsync(Token);
            Assert.True(response.IsSuccessStatusCode, text);
            using var run = JsonDocument.Parse(text);
            return run.RootElement.GetProperty("id").GetInt64();
        }

        public async Task<RunRecord> RunAsync(long id) => (await store.GetRunAsync(id, Token))!;

        public async Task<IReadOnlyList<long>> JobsAsync(long run) => [.. (await store.GetJobsAsync(run, Token)).Select(j => j.Id)];

        public async Task<JobRecord> JobAsync(long id) => (await store.GetJobAsync(id, Token))!;

        public Task<RunRecord> WaitForRunAsync(long id) =>
            Eventually.ValueAsync(
                () => RunAsync(id),
                run => run.Status is not (RunStatus.Running or RunStatus.Waiting),
                $"run {id} to end",
                TimeSpan.FromSeconds(120),
                run => $"{run.Status}; server:\n{process.StdoutSoFar}");

        public async Task<IReadOnlyList<string>> LogAsync(long job)
        {
            var lines = new List<string>();
            long after = 0;
            while (await store.ReadLogAsync(job, after, 1000, Token) is { Count: > 0 } page)
            {
                lines.AddRange(page.Select(l => l.Text));
                after = page[^1].Sequence;
            }

            return lines;
        }

        public Task<IReadOnlyList<string>> WaitForLogLineAsync(long job, string text) =>
            Eventually.ValueAsync(
                () => LogAsync(job),
                log => log.Contains(text),
                $"job {job}'s log to show '{text}'",
                TimeSpan.FromSeconds(90),
                log => $"log:\n{string.Join('\n', log)}\nserver:\n{process.StdoutSoFar}");

        public async ValueTask DisposeAsync()
        {
            await process.DisposeAsync();
            await store.DisposeAsync();
            client.Dispose();
        }
    }
}
