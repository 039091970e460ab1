using System.Diagnostics;
using System.Text;

namespace Cairn.Cli.Tests;

/// <summary>What a finished <c>cairn</c> process left behind.</summary>
internal sealed record CairnResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0}s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>The built <c>cairn</c>, run as a child process the way a person or a script runs it: stdin closed,
/// stdout and stderr redirected (so not a terminal), and an environment the test chooses.</summary>
internal sealed class CairnProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> Dll = new(BuildLayout.FindCairnDll);

    /// <summary>Another build of cairn to run instead of the managed one beside these tests (CAIRN_TEST_CLI): the
    /// native build, which .ci/run tests with this project's whole suite in a second pass.</summary>
    public static string? OtherBuild { get; } =
        Environment.GetEnvironmentVariable("CAIRN_TEST_CLI") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    private readonly Process _process;
    private readonly StringBuilder _stdoutSoFar = new();
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly Stopwatch _clock;

    private CairnProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
        _stdout = PumpStdoutAsync(process.StandardOutput);
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    /// <summary>What cairn has written to stdout so far.</summary>
    public string StdoutSoFar
    {
        get
        {
            lock (_stdoutSoFar)
            {
                return _stdoutSoFar.ToString();
            }
        }
    }

    /// <summary>Waits until stdout holds <paramref name="text"/>, while cairn still runs.</summary>
    public async Task WaitForStdoutAsync(string text, TimeSpan timeout)
    {
        // Printed (true), ended without printing it (false), or neither yet (null).
        var printed = await Eventually.ValueAsync(
            () =>
            {
                var ended = _stdout.IsCompleted;
                return StdoutSoFar.Contains(text, StringComparison.Ordinal) ? true : ended ? false : (bool?)null;
            },
            seen => seen is not null,
            $"cairn to print '{text}'",
            timeout,
            _ => $"stdout so far:\n{StdoutSoFar}");
        if (printed != true)
        {
            Assert.Fail($"cairn did not print '{text}' before it ended; stdout so far:\n{StdoutSoFar}");
        }
    }

    public static Task<CairnResult> RunAsync(string workingDirectory, params string[] args) =>
        RunAsync(workingDirectory, new Dictionary<string, string?>(), args);

    public static async Task<CairnResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        await using var cairn = Start(workingDirectory, env, args);
        return await cairn.WaitAsync(DefaultTimeout);
    }

    /// <summary>Runs cairn with <paramref name="stdin"/> written to its standard input, which is then closed.</summary>
    public static async Task<CairnResult> RunWithStdinAsync(string workingDirectory, IReadOnlyDictionary<string, string?> env, string stdin, params string[] args)
    {
        await using var cairn = StartCore(workingDirectory, env, stdin, args);
        return await cairn.WaitAsync(DefaultTimeout);
    }

    /// <summary>Starts cairn; <paramref name="env"/> adds variables to this process's own, or removes those set to null.</summary>
    public static CairnProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> env, params string[] args) =>
        StartCore(workingDirectory, env, null, args);

    /// <summary>Starts cairn through <paramref name="launcher"/> (a program and its first arguments, to which cairn's own
    /// command line is appended), as a shell script or a service manager would start it.</summary>
    public static CairnProcess StartThrough(IReadOnlyList<string> launcher, string workingDirectory, IReadOnlyDictionary<string, string?> env, params string[] args) =>
        StartCore(workingDirectory, env, null, args, launcher: launcher);

    /// <summary>Starts cairn as another user (the test must run as root), through setpriv.</summary>
    public static CairnProcess StartAs(string user, string workingDirectory, IReadOnlyDictionary<string, string?> env, params string[] args) =>
        StartCore(workingDirectory, env, null, args, user);

    private static CairnProcess StartCore(
        string workingDirectory, IReadOnlyDictionary<string, string?> env, string? stdin, string[] args, string? user = null, IReadOnlyList<string>? launcher = null)
    {
        var program = OtherBuild ?? "dotnet";
        var info = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : user is null ? program : "setpriv")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            UseShellExecute = false,
        };
        if (user is not null)
        {
            var account = Cairn.Executors.Shell.UnixAccount.Find(user) ?? throw new InvalidOperationException($"no user {user}");
            foreach (var argument in new[] { $"--reuid={account.Uid}", $"--regid={account.Gid}", "--init-groups", "--", program })
            {
                info.ArgumentList.Add(argument);
            }

            // dotnet's own first-run files go where this user may write.
            info.Environment["HOME"] = "/tmp";
            info.Environment["DOTNET_CLI_HOME"] = "/tmp";
        }

        if (launcher is { Count: > 0 })
        {
            foreach (var argument in launcher.Skip(1).Append(program))
            {
                info.ArgumentList.Add(argument);
            }
        }

        if (OtherBuild is null)
        {
            info.ArgumentList.Add(Dll.Value);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Colour must be switched off by the redirect alone, so nothing else may switch it off; and whatever the
        // test runner itself was started with must not leak into the runs it checks.
        info.Environment.Remove("NO_COLOR");
        info.Environment.Remove("CAIRN_DEBUG");
        info.Environment["TERM"] = "xterm-256color";
        foreach (var (name, value) in env)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return new CairnProcess(process, clock);
    }

    /// <summary>Sends a POSIX signal (INT, TERM…) the way <c>kill</c> in a shell would.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<CairnResult> WaitAsync(TimeSpan timeout)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            var partial = new CairnResult(-1, await _stdout, await _stderr, _clock.Elapsed);
            Assert.Fail($"cairn did not finish within {timeout.TotalSeconds:0}s\n{partial}");
        }

        return new CairnResult(_process.ExitCode, await _stdout, await _stderr, _clock.Elapsed);
    }

    private async Task<string> PumpStdoutAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            lock (_stdoutSoFar)
            {
                _stdoutSoFar.Append(buffer, 0, read);
            }
        }

        return StdoutSoFar;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
