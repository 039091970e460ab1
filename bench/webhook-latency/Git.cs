using System.Diagnostics;

namespace Cairn.Bench.WebhookLatency;

/// <summary>Runs git, outside anybody's configuration, and says what it printed or why it failed.</summary>
internal static class Git
{
    public static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("git did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await output).Trim()
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {(await error).Trim()}");
    }
}

/// <summary>The repository pushed to: a bare repository (what the server clones by file:// URL) and a working clone
/// that makes one new commit per push.</summary>
internal sealed class PushedRepository
{
    private readonly string _work;
    private int _count;

    private PushedRepository(string bare, string work)
    {
        Bare = bare;
        _work = work;
    }

    public string Bare { get; }

    public string CloneUrl => new Uri(Bare).AbsoluteUri;

    /// <summary>Makes both repositories under <paramref name="root"/>, with <paramref name="pipeline"/> as
    /// <c>.cairn.yml</c> in the first commit on main, and returns it with that commit pushed.</summary>
    public static async Task<(PushedRepository Repository, string First)> CreateAsync(string root, string pipeline)
    {
        var bare = Path.Combine(root, "app.git");
        var work = Path.Combine(root, "app");
        await Git.RunAsync(root, "init", "-q", "--bare", "-b", "main", bare);
        await Git.RunAsync(root, "init", "-q", "-b", "main", work);
        await File.WriteAllTextAsync(Path.Combine(work, ".cairn.yml"), pipeline);
        await File.WriteAllTextAsync(Path.Combine(work, "counter"), "0\n");
        await Git.RunAsync(work, "add", ".");
        var repository = new PushedRepository(bare, work);
        return (repository, await repository.CommitAndPushAsync("the pipeline"));
    }

    /// <summary>A new commit that changes one file, pushed to main; returns its SHA.</summary>
    public async Task<string> PushNextAsync()
    {
        _count++;
        await File.WriteAllTextAsync(Path.Combine(_work, "counter"), $"{_count}\n");
        await Git.RunAsync(_work, "add", "counter");
        return await CommitAndPushAsync($"change {_count}");
    }

    private async Task<string> CommitAndPushAsync(string message)
    {
        await Git.RunAsync(_work, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", message);
        await Git.RunAsync(_work, "push", "-q", Bare, "main");
        return await Git.RunAsync(_work, "rev-parse", "HEAD");
    }
}
