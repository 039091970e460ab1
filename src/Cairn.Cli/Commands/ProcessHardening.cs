using Cairn.Core.Secrets;
using Cairn.Executors.Shell;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn server</c> and <c>cairn worker</c> do to themselves before starting any job.</summary>
internal static class ProcessHardening
{
    private const string ConnectionVariable = "CAIRN_CONNECTION";

    /// <summary>Keeps this process's credentials from every process it starts: the master key and connection string
    /// leave its environment once read, so does every variable its own children do not need (steps get only what
    /// <c>--pass-env</c> names, from a copy), and the process becomes undumpable, so that not even a process of its own user
    /// can read its <c>/proc/PID/environ</c> or memory. Returns the master key as the environment gave it, and what
    /// start-up should warn about.</summary>
    /// <param name="commandLineConnection">The connection string when the command line gave it.</param>
    public static (string? MasterKey, IReadOnlyList<string> Lines) Apply(string? commandLineConnection)
    {
        var lines = new List<string>();
        var masterKey = Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable);
        HostProcess.KeepOnlyWhatChildrenNeed();
        if (!HostProcess.MakeUndumpable() && OperatingSystem.IsLinux())
        {
            lines.Add("warning: could not make this process undumpable; processes of its user may read its environment");
        }

        if (commandLineConnection is not null && commandLineConnection.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            lines.Add("warning: the connection string was given on the command line, which every process on this host can read "
                + $"(/proc/PID/cmdline); set {ConnectionVariable} or Cairn:Connection in appsettings.json instead");
        }

        return (masterKey, lines);
    }
}
