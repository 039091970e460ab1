using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Cairn.Cli.Tests;
using Cairn.Core.Runs;
using Cairn.Server.Tests;
using Cairn.Storage;

namespace Cairn.EndToEnd.Tests;

/// <summary>A real <c>cairn server --concurrency 0</c> on a loopback port of its own, with one repository (octo/app, a
/// real git repository it mirrors), and <c>cairn worker --server</c> processes that hold nothing but a worker token.
/// The test reads what was stored through its own connection to the server's SQLite file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class HttpFleet : IAsyncDisposable
{
    public const string Repository = "octo/app";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly List<CairnProcess> _workers = [];
    private readonly HashSet<CairnProcess> _ended = [];
    private readonly string[] _serverArgs;
    private ICairnStore? _store;
    private CairnProcess? _replica;

    private HttpFleet(TempDirectory directory, int port, string[] serverArgs)
    {
        Directory = directory;
        Port = port;
        _serverArgs = serverArgs;
        Repo = new GitRepository();
        Url = $"http://127.0.0.1:{port}";
        Admin = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public TempDirectory Directory { get; }

    public int Port { get; }

    public string Url { get; }

    public GitRepository Repo { get; }

    /// <summary>A client with the admin token.</summary>
    public HttpClient Admin { get; }

    public CairnProcess Server { get; private set; } = null!;

    public string Data => Directory.Combine("data");

    /// <summary>Starts the server with <paramref name="serverArgs"/> added (a short --lease, say; --concurrency in them
    /// replaces the default of 0), and adds octo/app.</summary>
    public static async Task<HttpFleet> StartAsync(params string[] serverArgs)
    {
        var fleet = new HttpFleet(new TempDirectory(), FreePort(), serverArgs);
        await fleet.StartServerAsync();
        var token = (await File.ReadAllTextAsync(Path.Combine(fleet.Data, "admin.token"), Token)).Trim();
        fleet.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await fleet.AddRepositoryAsync(Repository, fleet.Repo);
        return fleet;
    }

    /// <summary>The store the server writes (its SQLite file, or the PostgreSQL database it was given), opened beside it.</summary>
    public async Task<ICairnStore> StoreAsync() =>
        _store ??= await RunStores.OpenAsync(
            Array.IndexOf(_serverArgs, "--connection") is var at and >= 0
                ? new StoreSettings(RunStores.Postgres, _serverArgs[at + 1])
                : new StoreSettings(RunStores.Sqlite, Path.Combine(Data, "cairn.db")),
            TimeProvider.System,
            Token);

    /// <summary>Starts a second server on the same store (PostgreSQL) with the same master key, on a port of its own, as a
    /// replica behind a load balancer would be; answers its port.</summary>
    public async Task<int> StartReplicaAsync()
    {
        var data = System.IO.Directory.CreateDirectory(Directory.Combine("replica-data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var key = Path.Combine(data, Cairn.Core.Secrets.MasterKey.FileName);
        File.Copy(Path.Combine(Data, Cairn.Core.Secrets.MasterKey.FileName), key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        _replica = await StartServerAsync(data, url);
        return port;
    }

    /// <summary>Stops the first server (SIGTERM) for good: only a replica answers from now on.</summary>
    public async Task StopServerAsync()
    {
        await Server.SignalAsync("TERM");
        var stopped = await Server.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
    }

    public async Task AddRepositoryAsync(string name, GitRepository repo)
    {
        using var added = await Admin.PostAsJsonAsync("/api/v1/repos", new { name, forge = "github", cloneUrl = repo.CloneUrl }, Token);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(Token));
    }

    /// <summary>Makes a worker identity through the admin API and writes its token to a 0600 file; answers the file.</summary>
    public async Task<string> AddWorkerAsync(string name)
    {
        using var response = await Admin.PostAsJsonAsync("/api/v1/workers", new { name, labels = Array.Empty<string>() }, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.IsSuccessStatusCode, text);
        using var created = JsonDocument.Parse(text);
        return WriteTokenFile(name, created.RootElement.GetProperty("token").GetString()!);
    }

    public string WriteTokenFile(string name, string token)
    {
        var file = Directory.Combine($"{name}.token");
        File.WriteAllText(file, token + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    /// <summary>Calls an admin endpoint for a worker: pause, resume (POST) or remove (DELETE).</summary>
    public async Task WorkerAsync(string name, string action)
    {
        using var response = action == "remove"
            ? await Admin.DeleteAsync($"/api/v1/workers/{name}", Token)
            : await Admin.PostAsync($"/api/v1/workers/{name}/{action}", null, Token);
        Assert.True(response.IsSuccessStatusCode, $"{action} {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
    }

    /// <summary>Starts <c>cairn worker --server</c> with the token in <paramref name="tokenFile"/>, at <paramref name="server"/>
    /// (a proxy's address) or the server's own; with no store setting in its environment.</summary>
    public CairnProcess StartWorker(string tokenFile, string? server = null, IReadOnlyDictionary<string, string?>? env = null, params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null, ["CAIRN_MASTER_KEY"] = null };
        foreach (var (name, value) in env ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var worker = CairnProcess.Start(
            Directory.Path,
            environment,
            ["worker", "--server", server ?? Url, "--token-file", tokenFile, "--workspace-root", Directory.Combine("workspaces"), "--job-user", "root", .. args]);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Commits <paramref name="pipeline"/> to octo/app and starts a manual run of it: the run's id and its jobs' ids.</summary>
    public async Task<(long Run, IReadOnlyList<long> Jobs)> TriggerAsync(string pipeline)
    {
        Repo.Commit(pipeline);
        return await TriggerRunAsync(Repository);
    }

    /// <summary>Starts a manual run of what <paramref name="repository"/>'s main holds now.</summary>
    public async Task<(long Run, IReadOnlyList<long> Jobs)> TriggerRunAsync(string repository)
    {
        using var response = await Admin.PostAsJsonAsync($"/api/v1/repos/{repository}/runs", new { @ref = "main" }, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.IsSuccessStatusCode, text);
        using var run = JsonDocument.Parse(text);
        return (run.RootElement.GetProperty("id").GetInt64(), [.. run.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetInt64())]);
    }

    public async Task<RunRecord> WaitForRunAsync(long runId, TimeSpan? limit = null)
    {
        var store = await StoreAsync();
        return await Eventually.ValueAsync(
            async () => (await store.GetRunAsync(runId, Token))!,
            run => run.Status is not (RunStatus.Running or RunStatus.Waiting),
            $"run {runId} to end",
            limit ?? TimeSpan.FromSeconds(120),
            run => $"{run.Status}; {Outputs()}");
    }

    /// <summary>Every stored line of a job, in order.</summary>
    public async Task<IReadOnlyList<string>> LogAsync(long jobId)
    {
        var store = await StoreAsync();
        var lines = new List<string>();
        long after = 0;
        while (true)
        {
            var page = await store.ReadLogAsync(jobId, after, 1000, Token);
            if (page.Count == 0)
            {
                return lines;
            }

            lines.AddRange(page.Select(l => l.Text));
            after = page[^1].Sequence;
        }
    }

    public Task WaitForLogLineAsync(long jobId, string text, TimeSpan? limit = null) =>
        Eventually.ValueAsync(
            () => LogAsync(jobId),
            log => log.Contains(text),
            $"job {jobId}'s log to show '{text}'",
            limit ?? TimeSpan.FromSeconds(90),
            log => $"log:\n{string.Join('\n', log)}\n{Outputs()}");

    /// <summary>What the server and the workers printed so far, for a failure's message.</summary>
    public string Outputs() =>
        $"server stdout:\n{Server.StdoutSoFar}\nworkers:\n{string.Join("\n--\n", _workers.Select(w => w.StdoutSoFar))}";

    /// <summary>Stops the server (SIGTERM) and starts it again on the same port and data directory.</summary>
    public async Task RestartServerAsync()
    {
        await Server.SignalAsync("TERM");
        var stopped = await Server.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        await Server.DisposeAsync();
        await StartServerAsync();
    }

    /// <summary>Kills a worker the hard way (SIGKILL).</summary>
    public async Task KillAsync(CairnProcess worker)
    {
        await worker.SignalAsync("KILL");
        _ended.Add(worker);
    }

    /// <summary>Waits for a worker to exit on its own; answers how it ended.</summary>
    public async Task<CairnResult> ExitOfAsync(CairnProcess worker)
    {
        var result = await worker.WaitAsync(TimeSpan.FromSeconds(60));
        _ended.Add(worker);
        return result;
    }

    /// <summary>Asks each worker still running to stop (SIGTERM) and checks that it leaves cleanly.</summary>
    public async Task StopWorkersAsync()
    {
        var live = _workers.Where(w => !_ended.Contains(w)).ToList();
        foreach (var worker in live)
        {
            await worker.SignalAsync("TERM");
        }

        foreach (var worker in live)
        {
            var result = await worker.WaitAsync(TimeSpan.FromSeconds(60));
            _ended.Add(worker);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Server.DisposeAsync();
        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Admin.Dispose();
        Repo.Dispose();
        Directory.Dispose();
    }

    private async Task StartServerAsync() => Server = await StartServerAsync(Data, Url);

    private async Task<CairnProcess> StartServerAsync(string data, string url)
    {
        var server = CairnProcess.Start(
            Directory.Path,
            new Dictionary<string, string?> { ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null, ["CAIRN_MASTER_KEY"] = null, ["KUBECONFIG"] = null },
            ["server", "--data", data, "--urls", url, .. (_serverArgs.Contains("--concurrency") ? [] : new[] { "--concurrency", "0" }), .. _serverArgs]);
        using var probe = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var health = await probe.GetAsync("/healthz", Token);
                    // The first server writes the admin token; a replica on the same store finds one there already.
                    return health.IsSuccessStatusCode && (data != Data || File.Exists(Path.Combine(data, "admin.token")));
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException) when (!Token.IsCancellationRequested)
                {
                    return false;
                }
            },
            $"the server to answer on {url}",
            TimeSpan.FromSeconds(60));
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A numbered line, as the slow steps print them.</summary>
    public static string Numbered(int i) => string.Create(CultureInfo.InvariantCulture, $"line {i:D4}");
}
