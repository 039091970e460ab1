using System.Diagnostics;
using System.Text;

namespace Cairn.Executors.Agent;

/// <summary>git run as a program (arguments as a list, never through a shell), in one folder.</summary>
internal sealed class AgentGit(string directory)
{
    public const string AuthorName = "Cairn agent";
    public const string AuthorEmail = "agent@cairn.invalid";

    public string Directory => directory;

    /// <summary>Runs git; throws <see cref="InvalidOperationException"/> with git's own words when it fails.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var (code, output, error) = await TryAsync(cancellationToken, arguments);
        if (code != 0)
        {
            // git's last few lines: the reason is often the line before its summary ("failed to push some refs").
            var lines = error.Trim().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(3).ToList();
            var said = lines.Count == 0 ? $"exit code {code}" : string.Join("; ", lines);
            throw new InvalidOperationException($"git {arguments[0]} failed: {said}");
        }

        return output;
    }

    /// <summary>Variables that have git trust <paramref name="folder"/> though another user owns it: the worktree is
    /// given to the job's user for the verify steps, while Cairn and the agent run git in it as the worker's own.</summary>
    public static IEnumerable<KeyValuePair<string, string>> TrustFolder(string folder) =>
    [
        new("GIT_CONFIG_COUNT", "1"),
        new("GIT_CONFIG_KEY_0", "safe.directory"),
        new("GIT_CONFIG_VALUE_0", folder),
    ];

    public async Task<(int Code, string Output, string Error)> TryAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_AUTHOR_NAME"] = AuthorName;
        info.Environment["GIT_AUTHOR_EMAIL"] = AuthorEmail;
        info.Environment["GIT_COMMITTER_NAME"] = AuthorName;
        info.Environment["GIT_COMMITTER_EMAIL"] = AuthorEmail;

        foreach (var (name, value) in TrustFolder(directory))
        {
            info.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("git could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    public async Task<bool> ExistsAsync(string revision, CancellationToken cancellationToken) =>
        (await TryAsync(cancellationToken, "rev-parse", "--verify", "--quiet", revision + "^{commit}")).Code == 0;
}
