using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Cairn.Server.Tests;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A pipeline that tries every way a step could reach the server — its environment, every process's
/// <c>environ</c> and <c>cmdline</c>, the key, the token and the database by relative and absolute path, a search of
/// the whole disk — run on a real <c>cairn server</c> started with a marker variable and a known master key. Not a
/// byte of any of them may reach a job's log, masked or not.</summary>
public sealed class HostileJobTests : IDisposable
{
    private const string Marker = "marker-8c1f0e2d-only-in-the-servers-environment";
    private readonly TempDirectory _dir = new();
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public HostileJobTests()
    {
        if (!OperatingSystem.IsWindows())
        {
            // Like /srv or /var/lib: other users may pass through to the workspaces folder, not list it.
            File.SetUnixFileMode(_dir.Path, (UnixFileMode)0b111_001_001);
        }
    }

    public void Dispose() => _dir.Dispose();

    private string Data => _dir.Combine("cairn-data");

    private string Probe(string runner) => $$"""
        jobs:
          probe:
            {{runner}}
            steps:
              - run: |
                  set +e
                  echo "uid=$(id -u)"
                  env
                  cat /proc/$PPID/environ | tr '\0' '\n'
                  cat /proc/$PPID/cmdline | tr '\0' ' '
                  cat /proc/1/environ | tr '\0' '\n'
                  for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do tr '\0' '\n' < "$f"; echo; done 2>/dev/null
                  for f in "$CAIRN_WORKSPACE/../../master.key" ../../master.key ../cairn-data/master.key ../cairn-data/admin.token ../cairn-data/cairn.db \
                           '{{Data}}/master.key' '{{Data}}/admin.token' '{{Data}}/cairn.db' '{{Data}}/cairn.db-wal'; do
                    cat "$f" 2>&1 | head -c 4096; echo
                  done
                  ls -la '{{Data}}' 2>&1
                  timeout 60 find / -xdev \( -name master.key -o -name admin.token -o -name 'cairn.db*' \) 2>/dev/null | while read -r f; do
                    echo "found $f"; head -c 4096 "$f"; echo
                  done
                  echo probe-done
        """;

    [RootFact]
    public async Task OnTheShellExecutor_AsRoot_AStepReadsNothingOfTheServer()
    {
        var log = await RunProbeAsync(runner: "", runnersFile: null, env: []);

        Assert.Contains("uid=65534", log, StringComparison.Ordinal);
        AssertNothingLeaked(log);
    }

    [ContainerEngineFact]
    public async Task OnTheContainerExecutor_AStepReadsNothingOfTheServer()
    {
        var runners = _dir.WriteFile("runners.yml", $"runners:\n  box: {{ executor: container, image: '{Engines.TestImage}' }}\n");

        var log = await RunProbeAsync(runner: "runner: box", runnersFile: runners, env: new() { ["DOCKER_HOST"] = Engines.ContainerEngine });

        AssertNothingLeaked(log);
    }

    [RootFact]
    public async Task NotAsRoot_AStepStillCannotReadTheServersEnvironment_OrTheKeyItWasGiven()
    {
        // The server runs as nobody, owning its data directory: steps then run as the same user (the mode meant for
        // trusted triggers only), so they could read the data directory; the key came from the environment, so it is
        // not there, and the environment itself is out of reach.
        Directory.CreateDirectory(Data);
        Chown(_dir.Path);

        var log = await RunProbeAsync(runner: "", runnersFile: null, env: [], asNobody: true);

        Assert.Contains("uid=65534", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Marker, log, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(Convert.FromBase64String(_key)), log, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> RunProbeAsync(string runner, string? runnersFile, Dictionary<string, string?> env, bool asNobody = false)
    {
        using var repo = new GitRepository();
        repo.Commit(Probe(runner));
        if (asNobody)
        {
            Chown(Path.GetDirectoryName(repo.Remote)!);
        }

        var port = FreePort();
        var args = new List<string> { "server", "--data", Data, "--urls", $"http://127.0.0.1:{port}", "--concurrency", "1" };
        if (runnersFile is not null)
        {
            args.AddRange(["--runners", runnersFile]);
        }

        env["CAIRN_MASTER_KEY"] = _key;
        env["CAIRN_TEST_MARKER"] = Marker;
        await using var server = asNobody ? CairnProcess.StartAs("nobody", _dir.Path, env, [.. args]) : CairnProcess.Start(_dir.Path, env, [.. args]);
        await server.WaitForStdoutAsync("listening on", TimeSpan.FromSeconds(60));
        var token = (await File.ReadAllTextAsync(Path.Combine(Data, "admin.token"), TestContext.Current.CancellationToken)).Trim();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var ct = TestContext.Current.CancellationToken;
        await WaitUntilServingAsync(client, ct);

        var added = await client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/hostile", forge = "github", cloneUrl = repo.CloneUrl }, ct);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(ct));
        var started = await client.PostAsJsonAsync("/api/v1/repos/octo/hostile/runs", new { @ref = "main" }, ct);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(ct));
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetInt64();

        var run = await Eventually.ValueAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync($"/api/v1/runs/{id}", ct)).RootElement,
            r => r.GetProperty("status").GetString() != "running",
            $"run {id} to end",
            TimeSpan.FromMinutes(3),
            r => $"{r}\n{server.StdoutSoFar}",
            ct);

        var job = run.GetProperty("jobs")[0].GetProperty("id").GetInt64();
        var log = await client.GetStringAsync($"/api/v1/runs/{id}/jobs/{job}/log", ct);
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{log}\n{server.StdoutSoFar}");
        Assert.Contains("probe-done", log, StringComparison.Ordinal);
        return log;
    }

    // The start-up lines come just before the listener opens.
    private static Task WaitUntilServingAsync(HttpClient client, CancellationToken ct) =>
        Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var health = await client.GetAsync("/healthz", ct);
                    return health.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the server to answer /healthz",
            TimeSpan.FromSeconds(30),
            ct);

    private void AssertNothingLeaked(string log)
    {
        var key = Convert.FromBase64String(_key);
        var token = File.ReadAllText(Path.Combine(Data, "admin.token")).Trim();
        Assert.DoesNotContain(Marker, log, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(key), log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, log, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite format 3", log, StringComparison.Ordinal);
        Assert.DoesNotContain("CAIRN_MASTER_KEY", log, StringComparison.Ordinal);
        Assert.DoesNotContain("found " + Data, log, StringComparison.Ordinal);

        // A value that was read but masked would show as ***: nothing was read, so nothing was masked either.
        Assert.DoesNotContain("***", log, StringComparison.Ordinal);
    }

    private static void Chown(string path)
    {
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", "nobody:nogroup", path]);
        chown!.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
