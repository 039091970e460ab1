namespace Cairn.Git;

/// <summary>How <see cref="GitMirror"/> and <see cref="GitCheckouts"/> run git.</summary>
public sealed class GitMirrorOptions
{
    /// <summary>The git executable; a bare name is looked up on PATH.</summary>
    public string GitPath { get; set; } = "git";

    /// <summary>How long one fetch may take before git is stopped.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long any other git command (reading a file, a diff, checking out a worktree) may take.</summary>
    public TimeSpan LocalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for another fetch or worktree change on the same mirror, in this process or another.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The largest file <see cref="GitMirror.ReadFileAsync"/> reads (1 MiB by default): its size is asked of
    /// git first, and no more than this is ever held, so a huge file that compresses well cannot cost memory.</summary>
    public long MaxFileBytes { get; set; } = 1L << 20;

    /// <summary>The user name sent with a token over http(s) when the clone URL names none. Forges accept a token
    /// as the password of any user name; <c>x-access-token</c> is what GitHub documents.</summary>
    public string TokenUserName { get; set; } = "x-access-token";

    /// <summary>Called with the process id of each git process a job's checkout starts (<see cref="GitCheckouts"/>), as
    /// soon as it has started: a server lowers its priority with the job's other processes. Null: nothing.</summary>
    public Action<int>? CheckoutStarted { get; set; }
}
