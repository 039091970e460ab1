using System.Diagnostics;

namespace Cairn.Server.Tests;

/// <summary>A real git repository with a bare "remote" the server clones by file:// URL. Commits go to the work tree
/// and are pushed to the remote, as a developer's would be.</summary>
public sealed class GitRepository : IDisposable
{
    private readonly TempDirectory root = new();

    public GitRepository(string defaultBranch = "main")
    {
        DefaultBranch = defaultBranch;
        Directory.CreateDirectory(WorkTree);
        Git(root.Path, "init", "--quiet", "--bare", "--initial-branch", defaultBranch, Remote);
        Git(WorkTree, "init", "--quiet", "--initial-branch", defaultBranch);
        Git(WorkTree, "remote", "add", "origin", Remote);
    }

    public string DefaultBranch { get; }

    public string WorkTree => root.Combine("work");

    public string Remote => root.Combine("remote.git");

    public string CloneUrl => new Uri(Remote).AbsoluteUri;

    /// <summary>Writes the files, commits them on <paramref name="branch"/> and pushes; returns the commit's SHA.</summary>
    public string Commit(IReadOnlyDictionary<string, string> files, string message = "change", string? branch = null)
    {
        branch ??= DefaultBranch;
        var current = Git(WorkTree, "symbolic-ref", "--short", "HEAD").Trim();
        if (current != branch)
        {
            var exists = Run(WorkTree, "rev-parse", "--verify", "--quiet", branch).ExitCode == 0;
            var born = Run(WorkTree, "rev-parse", "--verify", "--quiet", "HEAD").ExitCode == 0;
            Git(WorkTree, exists ? ["checkout", "--quiet", branch] : born ? ["checkout", "--quiet", "-b", branch] : ["symbolic-ref", "HEAD", $"refs/heads/{branch}"]);
        }

        foreach (var (path, contents) in files)
        {
            var full = Path.Combine(WorkTree, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, contents);
        }

        Git(WorkTree, "add", "--all");
        Git(WorkTree, "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "commit", "--quiet", "--allow-empty", "-m", message);
        Git(WorkTree, "push", "--quiet", "origin", $"HEAD:refs/heads/{branch}");
        return Git(WorkTree, "rev-parse", "HEAD").Trim();
    }

    public string Commit(string pipeline, string message = "change", string? branch = null) =>
        Commit(new Dictionary<string, string> { [".cairn.yml"] = pipeline }, message, branch);

    /// <summary>Pushes the work tree's HEAD to any ref of the remote (what a forge keeps at refs/pull/N/head).</summary>
    public void PushHeadTo(string gitRef) => Git(WorkTree, "push", "--quiet", "--force", "origin", $"HEAD:{gitRef}");

    public string Tag(string name)
    {
        Git(WorkTree, "tag", name);
        Git(WorkTree, "push", "--quiet", "origin", $"refs/tags/{name}");
        return Git(WorkTree, "rev-parse", "HEAD").Trim();
    }

    public void Dispose() => root.Dispose();

    private static string Git(string directory, params string[] args)
    {
        var (code, output, error) = Run(directory, args);
        return code == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
    }

    private static (int ExitCode, string Output, string Error) Run(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
