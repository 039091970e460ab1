using System.Diagnostics;

namespace Cairn.Git.Tests;

/// <summary>A real repository to build from: a working clone where commits are made, and a bare "remote" it pushes
/// to, reached by a file:// URL, so that fetching into a mirror goes through git's real transport.</summary>
internal sealed class GitRepositoryFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public GitRepositoryFixture()
    {
        Git(_directory.Path, "init", "--quiet", "--bare", "--initial-branch=main", RemotePath);
        Git(_directory.Path, "init", "--quiet", "--initial-branch=main", WorkPath);
        Git(WorkPath, "remote", "add", "origin", RemotePath);
    }

    public string Root => _directory.Path;

    public string RemotePath => _directory.Combine("remote.git");

    public string WorkPath => _directory.Combine("work");

    public string CloneUrl => "file://" + RemotePath;

    /// <summary>A directory for the code under test (mirrors, workspaces) that goes away with the fixture.</summary>
    public string Scratch(string name) => _directory.Combine(name);

    /// <summary>Writes the files (a null content deletes), commits, pushes the branch, and returns the commit's SHA.</summary>
    public string Commit(string message, IReadOnlyDictionary<string, string?> files, string branch = "main")
    {
        Git(WorkPath, "checkout", "--quiet", "-B", branch);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(WorkPath, path);
            if (content is null)
            {
                Git(WorkPath, "rm", "--quiet", "-r", "--", path);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            Git(WorkPath, "add", "--", path);
        }

        Git(WorkPath, "commit", "--quiet", "--allow-empty", "-m", message);
        Git(WorkPath, "push", "--quiet", "--force", "origin", branch);
        return Git(WorkPath, "rev-parse", "HEAD").Trim();
    }

    public string Commit(string message, string path, string content, string branch = "main") =>
        Commit(message, new Dictionary<string, string?> { [path] = content }, branch);

    /// <summary>Runs git with no user or system configuration; throws with git's words when it fails.</summary>
    public static string Git(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-c", "user.name=Cairn Test", "-c", "user.email=test@cairn.invalid", "-c", "commit.gpgsign=false", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        }

        return output.Result;
    }

    public void Dispose() => _directory.Dispose();
}
