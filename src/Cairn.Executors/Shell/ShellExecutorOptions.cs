namespace Cairn.Executors.Shell;

/// <summary>How the shell executor starts and stops step processes.</summary>
public sealed class ShellExecutorOptions
{
    /// <summary>Whether steps see this host's environment (PATH, HOME…) under the job's and step's own variables.</summary>
    public bool InheritEnvironment { get; set; } = true;

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
