using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cairn.Bench.HttpWorkers;

/// <summary>A <c>cairn</c> process the benchmark started, its output going to a file under the output folder.</summary>
internal sealed class CairnChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private CairnChild(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static CairnChild Start(string cli, string logFile, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(cli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var log = new StreamWriter(logFile, append: false, Encoding.UTF8) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{cli} did not start");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CairnChild(process, log);
    }

    /// <summary>SIGTERM, then a bounded wait; SIGKILL when it does not leave.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync(cancellationToken);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }
}

/// <summary>A <c>cairn server --concurrency 0</c> on loopback, and its admin API for worker identities.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly CairnChild _process;
    private readonly HttpClient _http;

    private BenchServer(CairnChild process, Uri url, string adminToken)
    {
        _process = process;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    }

    public Uri Url { get; }

    public static async Task<BenchServer> StartAsync(Options options, CancellationToken cancellationToken)
    {
        var data = Path.Combine(options.Out, "data");
        Directory.CreateDirectory(data);
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var process = CairnChild.Start(options.Cli, Path.Combine(options.Out, "server.log"),
            ["server", "--data", data, "--urls", url.ToString().TrimEnd('/'), "--concurrency", "0", "--store", options.Store, "--connection", options.Connection]);
        using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var tokenFile = Path.Combine(data, "admin.token");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited; see {Path.Combine(options.Out, "server.log")}");
            }

            try
            {
                using var health = await probe.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken);
                if (health.IsSuccessStatusCode && File.Exists(tokenFile) && new FileInfo(tokenFile).Length > 0)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException("the server did not answer /healthz within 60 s");
            }

            await Task.Delay(100, cancellationToken);
        }

        return new BenchServer(process, url, (await File.ReadAllTextAsync(tokenFile, cancellationToken)).Trim());
    }

    /// <summary>Makes a worker identity (<c>POST /api/v1/workers</c>) and writes its token to a 0600 file.</summary>
    public async Task<string> AddWorkerAsync(string name, string folder, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new { name, labels = Array.Empty<string>() });
        using var response = await _http.PostAsync(
            new Uri("api/v1/workers", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created))
        {
            throw new InvalidOperationException($"adding worker {name} answered {(int)response.StatusCode}: {text}");
        }

        var token = JsonDocument.Parse(text).RootElement.GetProperty("token").GetString()!;
        var file = Path.Combine(folder, $"{name}.token");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the benchmark runs on Linux");
        }

        // 0600 from the start, as an operator's token file should be.
        await using (var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(token), cancellationToken);
        }
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
