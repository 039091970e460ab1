using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Cairn.Cli.Tests;

/// <summary>A fact about the native build of cairn (<c>dotnet publish src/Cairn.Cli -p:Native=true</c>), whose path
/// CAIRN_TEST_NATIVE_CLI gives (.ci/run publishes it and sets it).</summary>
public sealed class NativeBuildFactAttribute : FactAttribute
{
    public NativeBuildFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Program is null)
        {
            Skip = "needs the native build: dotnet publish src/Cairn.Cli -c Release -p:Native=true -o DIR, then set CAIRN_TEST_NATIVE_CLI to DIR/cairn (.ci/run does)";
        }
    }

    /// <summary>The native <c>cairn</c>, or null.</summary>
    public static string? Program =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_NATIVE_CLI") is { Length: > 0 } path && File.Exists(path) ? Path.GetFullPath(path) : null;
}

/// <summary>The native build runs <c>run</c>, <c>validate</c> and <c>schema</c> itself, with no .NET runtime loaded, and
/// hands every other command to the managed program in <c>lib/</c> beside it by replacing itself with it. (Every
/// other test of this project runs against the native build too, in .ci/run's second pass: CAIRN_TEST_CLI.)</summary>
public sealed class NativeBuildTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Native => NativeBuildFactAttribute.Program!;

    private static string Managed => Path.Combine(Path.GetDirectoryName(Native)!, "lib", "cairn");

    [NativeBuildFact]
    public async Task Run_Is_Native_NoRuntimeLoaded()
    {
        // The step is the cairn process's child: what its parent has mapped says whether a .NET runtime is in it.
        _dir.WriteFile(".cairn.yml", """
            jobs:
              look:
                steps:
                  - run: |
                      if grep -q libcoreclr /proc/$PPID/maps; then echo "parent: a .NET runtime"; else echo "parent: native"; fi
                      echo "parent is $(readlink /proc/$PPID/exe)"
            """);

        var result = await RunAsync(Native, "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[look] parent: native", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"[look] parent is {Native}", result.Stdout, StringComparison.Ordinal);
    }

    [NativeBuildFact]
    public async Task AnotherCommand_RunsInTheManagedProgram_AsTheSameProcess_AndStopsOnItsSignal()
    {
        using var worker = Start(Native, "worker", "--connection", _dir.Combine("store.db"), "--workspace-root", _dir.Combine("work"));
        var output = new StringBuilder();
        var started = new TaskCompletionSource();
        worker.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (line.Data?.Contains("2 at once on sqlite", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The process started as the native program is now the managed one, runtime and all.
        Assert.Equal(Managed, new FileInfo($"/proc/{worker.Id}/exe").LinkTarget);
        Assert.Contains("libcoreclr", await File.ReadAllTextAsync($"/proc/{worker.Id}/maps", TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using (var kill = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await worker.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(0, worker.ExitCode);
        lock (output)
        {
            Assert.Contains("stopped", output.ToString(), StringComparison.Ordinal);
        }
    }

    [NativeBuildFact]
    public async Task HelpAndVersion_AreTheManagedProgramsToTheCharacter()
    {
        // A response file may name any command, so the native build hands it to the managed program whole.
        _dir.WriteFile("server.rsp", "server\n--help\n");
        string[][] lines = [["--help"], ["--version"], ["run", "--help"], ["validate", "--help"], ["server", "--help"], ["bogus"], ["schema"], [$"@{_dir.Combine("server.rsp")}"]];
        foreach (var args in lines)
        {
            var native = await RunAsync(Native, args);
            var managed = await RunAsync(Managed, args);

            Assert.Equal((managed.ExitCode, managed.Stdout, managed.Stderr), (native.ExitCode, native.Stdout, native.Stderr));
        }
    }

    [NativeBuildFact]
    public async Task WithoutItsManagedProgram_TheNativeBuildSaysWhatIsMissing_AndStillRuns()
    {
        var alone = _dir.Combine("alone", "cairn");
        Directory.CreateDirectory(Path.GetDirectoryName(alone)!);
        File.Copy(Native, alone);

        var forwarded = await RunAsync(alone, "runs");
        var validate = await RunAsync(alone, "validate", "--help");

        Assert.Equal(1, forwarded.ExitCode);
        Assert.Equal(
            $"error: 'runs' is run by the managed program {Path.GetDirectoryName(alone)}/lib/cairn, which could not be started: No such file or directory. Publish cairn again (see docs/operations.md, \"Installing\").\n",
            forwarded.Stderr);
        Assert.Empty(forwarded.Stdout);
        Assert.Equal(0, validate.ExitCode);
    }

    private Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = _dir.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("CAIRN_DEBUG");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        return process;
    }

    private async Task<CairnResult> RunAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        var clock = Stopwatch.StartNew();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(CairnProcess.DefaultTimeout, TestContext.Current.CancellationToken);
        return new CairnResult(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }
}
