using Cairn.Core.Secrets;
using Cairn.Server.Hosting;

namespace Cairn.Cli.Tests.Deploy;

/// <summary>The five-minute evaluation's compose file sets only variables the server and the worker read, and every
/// variable it interpolates is in .env.example.</summary>
public sealed class ComposeFileTests
{
    /// <summary>Read by <c>cairn worker</c> (WorkerCommand) and the API commands (ServerConnection, CairnCommandLine)
    /// beside the server's own settings.</summary>
    private static readonly string[] WorkerAndCliVariables =
        ["CAIRN_STORE", "CAIRN_CONNECTION", "CAIRN_STEP_PATH", "CAIRN_JOB_USER", "CAIRN_PASS_ENV", "CAIRN_SERVER", "CAIRN_TOKEN", "CAIRN_DEBUG"];

    /// <summary>Every CAIRN_* variable Cairn reads: the server's settings, the master key, and the worker's and CLI's own.</summary>
    private static readonly HashSet<string> Known =
    [
        .. ServerSettings.Names.Select(n => n.Variable),
        MasterKey.EnvironmentVariable,
        .. WorkerAndCliVariables,
    ];

    private static IEnumerable<string> Unknown(IEnumerable<string> names) =>
        names.Where(n => n.StartsWith("CAIRN_", StringComparison.Ordinal) && !Known.Contains(n)).Order(StringComparer.Ordinal);

    [Fact]
    public void EveryCairnVariable_TheComposeFileSets_IsOneTheServerOrWorkerReads()
    {
        var compose = ComposeFile.Load();
        var set = compose.ServiceNames.SelectMany(s => compose.Environment(s).Keys).ToList();
        Assert.Contains("CAIRN_STORE", set);
        Assert.Empty(Unknown(set));
        Assert.Empty(Unknown(compose.Example.Keys));
        Assert.Empty(Unknown(compose.Interpolated));
    }

    [Fact]
    public void TheCheck_CatchesAMisspelledVariable()
    {
        Assert.Equal(["CAIRN_STOER"], Unknown(["CAIRN_STORE", "CAIRN_STOER", "POSTGRES_PASSWORD"]));
    }

    [Fact]
    public void EveryVariableTheComposeFileInterpolates_IsInTheExample()
    {
        var compose = ComposeFile.Load();
        Assert.NotEmpty(compose.Interpolated);
        Assert.Empty(compose.Interpolated.Where(v => !compose.Example.ContainsKey(v)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Interpolations_AreRead_WithDefaultsAndMessages_ButNotEscapedDollars()
    {
        Assert.Equal(
            ["A", "B", "C"],
            ComposeFile.Interpolations("x: ${A}\ny: ${B:-one}\nz: ${C:?set C}\nw: $${NOT_ONE}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheServer_RunsOnPostgres_AndTheWorker_TakesJobsOverHttp_WithTheEnginesSocket()
    {
        var compose = ComposeFile.Load();
        var server = compose.Environment("server");
        Assert.Equal("postgres", server["CAIRN_STORE"]);
        Assert.Contains("Host=postgres", server["CAIRN_CONNECTION"], StringComparison.Ordinal);
        Assert.Equal("${CAIRN_MASTER_KEY:?", server[MasterKey.EnvironmentVariable][..20]);
        Assert.Contains(compose.List("server", "volumes"), v => v.EndsWith(":/var/lib/cairn", StringComparison.Ordinal));

        var worker = compose.List("worker", "command");
        Assert.Equal("worker", worker[0]);
        Assert.Equal("http://server:8080", worker[worker.ToList().IndexOf("--server") + 1]);
        Assert.Contains(compose.List("worker", "volumes"), v => v.EndsWith(":/var/run/docker.sock", StringComparison.Ordinal));
        Assert.Equal(compose.Service("server")["image"].ToString(), compose.Service("worker")["image"].ToString());
    }

    [Fact]
    public void Prometheus_IsOptional_LoadsTheRules_AndScrapesTheServersMetricsListener()
    {
        var compose = ComposeFile.Load();
        Assert.Equal(["monitoring"], compose.List("prometheus", "profiles"));
        Assert.Contains(compose.List("prometheus", "volumes"), v => v.StartsWith("../prometheus/cairn-rules.yml:", StringComparison.Ordinal));
        var port = new Uri(compose.Environment("server")["CAIRN_METRICS_URLS"]).Port;
        var scrape = File.ReadAllText(Path.Combine(ComposeFile.Folder, "prometheus.yml"));
        Assert.Contains($"\"server:{port}\"", scrape, StringComparison.Ordinal);
        Assert.Contains("/etc/prometheus/cairn-rules.yml", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryImage_ComesFromTheExample_AndNoneNamesARegistryHost()
    {
        var compose = ComposeFile.Load();
        var images = compose.ServiceNames.Select(s => compose.Service(s)["image"].ToString()).ToList();
        Assert.All(images, image => Assert.Matches(@"^\$\{[A-Z_]*IMAGE:\?[^}]*\}$", image));
        var examples = compose.Example.Where(e => e.Key.EndsWith("IMAGE", StringComparison.Ordinal)).Select(e => e.Value).ToList();
        Assert.Equal(3, examples.Count);
        foreach (var image in examples)
        {
            // A registry host is a first path part with a dot or a port (or localhost, which is this machine).
            var first = image.Split('/')[0];
            var host = image.Contains('/', StringComparison.Ordinal) && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal));
            Assert.False(host, $"{image} names a registry host");
        }
    }

    [DockerComposeFact]
    public async Task DockerCompose_AcceptsTheFile_WithTheExampleFilledIn_AndRefusesItWithoutAMasterKey()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var folder = new TempDirectory();
        var example = File.ReadAllText(Path.Combine(ComposeFile.Folder, ".env.example"));
        var filled = Path.Combine(folder.Path, "filled.env");
        await File.WriteAllTextAsync(filled, example.Replace("CAIRN_MASTER_KEY=\n", $"CAIRN_MASTER_KEY={Convert.ToBase64String(new byte[32])}\n", StringComparison.Ordinal), cancel);
        var asIs = Path.Combine(folder.Path, "as-is.env");
        await File.WriteAllTextAsync(asIs, example, cancel);

        var accepted = await ComposeConfigAsync(filled, cancel);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Contains("monitoring", accepted.Stdout, StringComparison.Ordinal);

        var refused = await ComposeConfigAsync(asIs, cancel);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("CAIRN_MASTER_KEY", refused.Stdout + refused.Stderr, StringComparison.Ordinal);
    }

    private static async Task<CairnResult> ComposeConfigAsync(string envFile, CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo(DockerComposeFactAttribute.Program!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ComposeFile.Folder,
        };
        foreach (var argument in new[] { "--env-file", envFile, "-f", "compose.yml", "config" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(deadline.Token);
        return new CairnResult(process.ExitCode, await stdout, await stderr, TimeSpan.Zero);
    }
}
