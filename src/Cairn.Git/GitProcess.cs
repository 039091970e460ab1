using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Cairn.Core.Pipelines;

namespace Cairn.Git;

/// <summary>What one git command printed, and how it ended. <paramref name="OutputCut"/>: git printed more than the
/// caller would take, so it was stopped and <paramref name="Output"/> holds only the first part.</summary>
internal sealed record GitResult(int ExitCode, byte[] Output, string Error, bool OutputCut = false)
{
    public bool Succeeded => ExitCode == 0 && !OutputCut;

    public string OutputText => Encoding.UTF8.GetString(Output);
}

/// <summary>Runs git with an argument list (never through a shell), in an environment of its own: no system or user
/// configuration, no prompts, no inherited <c>GIT_*</c> variables, English messages, and a time limit after which
/// git and whatever it started are killed.</summary>
internal sealed class GitProcess(string gitPath, string home)
{
    // Settings an operator makes for how git reaches servers; everything else named GIT_* could redirect git
    // (GIT_DIR, GIT_CONFIG_PARAMETERS, GIT_TRACE…) and is dropped.
    private static readonly string[] KeptVariables = ["GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH"];

    /// <summary>Runs <c>git</c> with <paramref name="arguments"/>. A cancel or the time limit kills git's whole process
    /// tree; the first rethrows the cancel, the second throws a <see cref="GitException"/> saying what took too long.
    /// Past <paramref name="maxOutputBytes"/> of output git is killed too, and the result says its output was cut: no
    /// more than that is ever held.</summary>
    public async Task<GitResult> RunAsync(
        string? workingDirectory,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        string? input = null,
        long maxOutputBytes = long.MaxValue,
        Action<int>? started = null)
    {
        using var process = new Process { StartInfo = StartInfo(workingDirectory, arguments, environment) };
        try
        {
            process.Start();
            started?.Invoke(process.Id);
        }
        catch (Win32Exception ex)
        {
            throw new GitException($"git could not be started ({gitPath}): {ex.Message}", ex);
        }

        using var output = new MemoryStream();
        var copying = CopyAtMostAsync(process, output, maxOutputBytes);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await WriteInputAsync(process, input, limit.Token);
            await process.WaitForExitAsync(limit.Token);

            // git's helpers (git-remote-https) end with it, so the pipes close once it has.
            var cut = await copying.WaitAsync(limit.Token);
            return new GitResult(process.ExitCode, output.ToArray(), await error.WaitAsync(limit.Token), cut);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new GitException($"git {Verb(arguments)} took longer than {Duration.Format(timeout)} and was stopped");
        }
    }

    /// <summary>Starts git for a conversation over its pipes (input, output and errors all redirected), in the same
    /// environment as <see cref="RunAsync"/>; the caller reads, writes, and kills it.</summary>
    public Process Start(string? workingDirectory, IReadOnlyList<string> arguments)
    {
        var process = new Process { StartInfo = StartInfo(workingDirectory, arguments, null) };
        try
        {
            process.Start();
            return process;
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new GitException($"git could not be started ({gitPath}): {ex.Message}", ex);
        }
    }

    private ProcessStartInfo StartInfo(string? workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(gitPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? home,
        };

        // Hooks run code from the repository's directory; a mirror has none, and none may appear.
        foreach (var argument in (string[])["-c", "core.hooksPath=/dev/null", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal) && !KeptVariables.Contains(k)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment.Remove("SSH_ASKPASS");
        info.Environment["GIT_ASKPASS"] = "";
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["HOME"] = home;
        info.Environment["XDG_CONFIG_HOME"] = home;
        info.Environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh";
        info.Environment["LC_ALL"] = "C";
        info.Environment.Remove("LANGUAGE");
        if (!info.Environment.ContainsKey("GIT_SSH_COMMAND") && !info.Environment.ContainsKey("GIT_SSH"))
        {
            // ssh asks about unknown host keys and passphrases on the terminal, which nobody watches.
            info.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>Copies git's output until it ends, or until it would pass <paramref name="most"/> bytes: then git is
    /// killed (so it does not block on a full pipe) and the answer is true.</summary>
    private static async Task<bool> CopyAtMostAsync(Process process, MemoryStream output, long most)
    {
        var source = process.StandardOutput.BaseStream;
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            if (output.Length + read > most)
            {
                output.Write(buffer, 0, (int)(most - output.Length));
                Kill(process);
                return true;
            }

            output.Write(buffer, 0, read);
        }

        return false;
    }

    private static async Task WriteInputAsync(Process process, string? input, CancellationToken cancellationToken)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git ended before reading everything; its exit code and messages say why.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own in the meantime.
        }
    }

    private static string Verb(IReadOnlyList<string> arguments) =>
        arguments.FirstOrDefault(a => !a.StartsWith('-') && !a.Contains('=', StringComparison.Ordinal)) ?? "";
}
