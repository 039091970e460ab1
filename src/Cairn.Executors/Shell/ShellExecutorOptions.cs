using Cairn.Core.Execution;

namespace Cairn.Executors.Shell;

/// <summary>How the shell executor starts and stops step processes.</summary>
public sealed class ShellExecutorOptions
{
    /// <summary>What steps' environments are made of: this host's under the job's own variables (<c>cairn run</c>), or a
    /// clean one with a fresh HOME per job attempt (a server or worker).</summary>
    public StepEnvironmentPolicy Environment { get; set; } = StepEnvironmentPolicy.Inherit;

    /// <summary>Whether steps must not be able to read this process: when it runs as root they run as an unprivileged
    /// user (the job's runner's <c>user:</c>, else <see cref="DefaultUser"/>); when it cannot switch users, jobs of
    /// untrusted code (pull requests from forks) are refused.</summary>
    public bool IsolateSteps { get; set; }

    /// <summary>Whether steps may be started as another user; null: when this process runs as root.</summary>
    public bool? SwitchUsers { get; set; }

    /// <summary>The user steps run as when their runner names none; null: <c>cairn-job</c> if this host has it, else <c>nobody</c>.</summary>
    public string? DefaultUser { get; set; }

    /// <summary>Where each job attempt's fresh HOME is made when the environment is clean; null: the temp directory.</summary>
    public string? HomeRoot { get; set; }

    /// <summary>How many steps of nice value above this process's a step's processes get (see
    /// <see cref="ProcessPriority"/>): 0, the same priority, for <c>cairn run</c>; a server's or worker's
    /// <c>--job-nice</c> (10 unless set) so that its jobs cannot starve it of the CPU.</summary>
    public int JobNice { get; set; }

    /// <summary>Run steps with <c>sh -e</c> even where bash exists.</summary>
    public bool ForceSh { get; set; }

    /// <summary>How long a stopped step's processes get between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to keep reading output after a step ended, in case something that escaped its process
    /// group still holds the pipe open.</summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether running steps die with this process, however it ends (kill -9 included): a sentinel process
    /// kills their process groups when this one is gone. It costs one sleeping process per executor and one environment variable per step.</summary>
    public bool KillStepsWithHost { get; set; } = true;

    /// <summary>Where executors record which process owns which steps (see StepOwnerRegistry); null means this user's
    /// folder in the temp directory (<c>cairn-step-owners-UID</c>), shared by every cairn this user runs on this host.</summary>
    public string? StepOwnerDirectory { get; set; }

    /// <summary>Where to look for bash, sh and setsid; null means this host's PATH.</summary>
    public string? SearchPath { get; set; }
}
