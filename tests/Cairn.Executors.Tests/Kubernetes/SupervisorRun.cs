using System.Diagnostics;
using Cairn.Core.Execution;
using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>Runs the rendered supervisor for real, under one shell, in a temporary program folder and workspace.</summary>
internal sealed class SupervisorRun : IDisposable
{
    public const string Nonce = "n0nce7f3a9";

    private readonly TempDirectory _dir = new();
    private Process? _process;

    /// <param name="holds">Give the supervisor its two holds, on <see cref="RestoredFile"/> and <see cref="ArchivedFile"/>.</param>
    public SupervisorRun(JobSpec job, TimeSpan? grace = null, bool holds = false)
    {
        Programs = _dir.Combine("programs");
        Workspace = _dir.Combine("workspace");
        Directory.CreateDirectory(Programs);
        Directory.CreateDirectory(Workspace);
        RestoredFile = _dir.Combine("restored");
        ArchivedFile = _dir.Combine("archived");
        foreach (var (name, text) in SupervisorScript.Render(job, Programs, Workspace, grace ?? TimeSpan.FromSeconds(2),
            holds ? RestoredFile : null, holds ? ArchivedFile : null))
        {
            System.IO.File.WriteAllText(Path.Combine(Programs, name), text);
        }
    }

    public string Programs { get; }

    public string Workspace { get; }

    public string RestoredFile { get; }

    public string ArchivedFile { get; }

    public bool HasExited => _process!.HasExited;

    public int Pid => _process!.Id;

    public string InWorkspace(string name) => Path.Combine(Workspace, name);

    /// <summary>The command that runs a script under <paramref name="shell"/> (sh, bash, busybox); skips the test when
    /// that shell is not installed.</summary>
    public static string[] ShellCommand(string shell)
    {
        string[] command = shell switch
        {
            "sh" => ["/bin/sh"],
            "busybox" => [Which("busybox") ?? "", "sh"],
            _ => [Which(shell) ?? ""],
        };
        if (command[0].Length == 0 || !System.IO.File.Exists(command[0]))
        {
            Assert.Skip($"{shell} is not installed here, so the supervisor is not tried under it");
        }

        return command;
    }

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(System.IO.File.Exists);

    /// <summary>Starts the supervisor with the nonce in its environment (and <paramref name="path"/> as PATH when given).</summary>
    public void Start(string[] shell, string? path = null)
    {
        var start = new ProcessStartInfo(shell[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in shell.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Path.Combine(Programs, SupervisorScript.SupervisorFile));
        start.Environment[SupervisorScript.NonceVariable] = Nonce;
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        _process = Process.Start(start)!;
        _process.StandardInput.Close();
    }

    /// <summary>Waits (bounded) for the supervisor to exit: its exit code and its output, stdout then stderr.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> FinishAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(60));
        var output = _process!.StandardOutput.ReadToEndAsync(bounded.Token);
        var errors = _process.StandardError.ReadToEndAsync(bounded.Token);
        await _process.WaitForExitAsync(bounded.Token);
        return (_process.ExitCode, await output, await errors);
    }

    /// <summary>Runs the supervisor to its end.</summary>
    public static async Task<(int ExitCode, string Output, List<string> Markers, string Errors)> RunAsync(
        JobSpec job, string shell, CancellationToken cancellationToken, string? path = null)
    {
        using var run = new SupervisorRun(job);
        run.Start(ShellCommand(shell), path);
        var (code, output, errors) = await run.FinishAsync(cancellationToken);
        return (code, output, Markers(output), errors);
    }

    /// <summary>The markers of the nonce in an output, each as its verb and numbers (<c>end:1:3</c>).</summary>
    public static List<string> Markers(string output) =>
        [.. output.Split('\n')
            .Select(line => StepMarkers.TryParse(line, Nonce, out _, out var marker) ? StepMarkers.Format(Nonce, marker)[StepMarkers.Prefix(Nonce).Length..] : null)
            .OfType<string>()];

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        _process?.Dispose();
        _dir.Dispose();
    }
}
