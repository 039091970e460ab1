using Cairn.Core.Execution;
using Cairn.Executors.Container;
using Cairn.Executors.Shell;

namespace Cairn.Cli.Commands;

/// <summary>How the steps of this process's jobs are kept from the process itself: the environment they start with,
/// and on a server or worker the user they run as.</summary>
/// <param name="IsolateSteps">A server or worker: steps must not be able to read this process (see ShellExecutorOptions).</param>
/// <param name="DefaultUser">The user shell steps run as when their runner names none (root only).</param>
/// <param name="HomeRoot">Where each job attempt's fresh HOME is made.</param>
/// <param name="JobNice">How many steps of nice value above this process's the jobs' processes get (0: the same).</param>
internal sealed record StepIsolation(StepEnvironmentPolicy Environment, bool IsolateSteps, string? DefaultUser, string? HomeRoot, int JobNice = 0)
{
    /// <summary><c>cairn run</c>: the developer's environment, or with <c>--clean-env</c> exactly what a server gives.</summary>
    public static StepIsolation Local(bool clean) =>
        new(clean ? StepEnvironmentPolicy.CleanDefault : StepEnvironmentPolicy.Inherit, false, null, null);

    /// <summary>A server or worker.</summary>
    public static StepIsolation Host(string path, IReadOnlyList<string> passEnv, string? defaultUser, string homeRoot, int jobNice) =>
        new(new StepEnvironmentPolicy(true, path, passEnv), true, defaultUser, homeRoot, jobNice);

    public ShellExecutorOptions ShellOptions() => new()
    {
        Environment = Environment,
        IsolateSteps = IsolateSteps,
        DefaultUser = DefaultUser,
        HomeRoot = HomeRoot,
        JobNice = JobNice,
    };

    public ContainerExecutorOptions ContainerOptions() => new() { PassEnv = Environment.Clean ? Environment.PassEnv : [] };

    /// <summary>What start-up should say about where shell steps run, and a warning when they can read this process.</summary>
    public (string Note, bool Warning) Describe()
    {
        if (!IsolateSteps)
        {
            return ("shell steps run as you, with " + (Environment.Clean ? "a clean environment" : "your environment"), false);
        }

        if (!UnixAccount.ProcessIsRoot)
        {
            return ($"warning: cairn does not run as root, so shell steps run as its own user ({System.Environment.UserName}) and could read "
                + "its data directory; runs of pull requests from forks will not run on the shell executor (give them a container runner, "
                + "or run cairn as root; see docs/security.md)", true);
        }

        var account = DefaultUser is { } named ? UnixAccount.Find(named) : UnixAccount.Default();
        if (account is null)
        {
            return ($"warning: there is no user '{DefaultUser ?? UnixAccount.Fallback}' to run shell steps as: shell jobs without a runner user: will fail", true);
        }

        return ($"shell steps run as user {account.Name} (uid {account.Uid}) in a clean environment", false);
    }
}
