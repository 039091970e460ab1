using System.Diagnostics;

namespace Cairn.EndToEnd.Tests.Deploy;

/// <summary>What a finished podman (or script) left behind.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs a program to its end with a deadline (killed, with its children, when it passes), stdin given or
/// closed: podman the way an operator types it.</summary>
internal static class PodmanCli
{
    public static Task<CommandResult> PodmanAsync(string[] arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null) =>
        RunAsync("podman", arguments, cancellationToken, stdin, timeout);

    public static async Task<CommandResult> RunAsync(
        string program, string[] arguments, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end in time");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
