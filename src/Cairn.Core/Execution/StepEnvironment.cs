namespace Cairn.Core.Execution;

/// <summary>What a step's environment is made of besides the job's own variables. A server or worker gives every
/// step a clean environment, so that nothing of its own (a master key, a connection string, cloud credentials) reaches
/// a step; <c>cairn run</c> on a laptop passes the developer's environment through, unless asked not to.</summary>
/// <param name="Clean">Steps get only the variables below; otherwise this process's environment is their base.</param>
/// <param name="Path">The <c>PATH</c> of a clean environment.</param>
/// <param name="PassEnv">Names of this process's variables an administrator lets through to every step.</param>
public sealed record StepEnvironmentPolicy(bool Clean, string Path, IReadOnlyList<string> PassEnv)
{
    /// <summary>The <c>PATH</c> a clean environment gets unless the administrator sets another.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The developer's environment under the job's variables: what <c>cairn run</c> does.</summary>
    public static StepEnvironmentPolicy Inherit { get; } = new(false, DefaultPath, []);

    /// <summary>Only what a step is owed: what <c>cairn server</c> and <c>cairn worker</c> do.</summary>
    public static StepEnvironmentPolicy CleanDefault { get; } = new(true, DefaultPath, []);

    /// <summary>The variables a step of <paramref name="job"/> starts with, before the job's and step's own.</summary>
    /// <param name="host">This process's environment (only names in <see cref="PassEnv"/> or the job's runner's are read
    /// from it when clean).</param>
    /// <param name="home">The job attempt's own fresh home directory, or null to keep the host's (an inheriting run).</param>
    /// <param name="user">The user the step runs as (USER, LOGNAME), or null to leave them as they are.</param>
    public IReadOnlyDictionary<string, string> Base(
        JobSpec job, IReadOnlyDictionary<string, string> host, string? home, string? user)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(host);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Clean)
        {
            foreach (var (name, value) in host)
            {
                env[name] = value;
            }
        }
        else
        {
            env["PATH"] = Path;
            env["LANG"] = "C.UTF-8";
            env["LC_ALL"] = "C.UTF-8";
            env["TZ"] = "UTC";
            foreach (var name in PassEnv.Concat(job.PassEnv))
            {
                if (host.TryGetValue(name, out var value))
                {
                    env[name] = value;
                }
            }
        }

        if (home is not null)
        {
            env["HOME"] = home;
        }

        if (user is not null)
        {
            env["USER"] = user;
            env["LOGNAME"] = user;
        }

        return env;
    }

    private static IReadOnlyDictionary<string, string>? s_captured;

    /// <summary>This process's environment as it was started, as a dictionary: the copy <see cref="Capture"/> kept,
    /// else the live one.</summary>
    public static IReadOnlyDictionary<string, string> HostEnvironment() => Volatile.Read(ref s_captured) ?? LiveEnvironment();

    /// <summary>Keeps a copy of this process's environment for <see cref="HostEnvironment"/>, before a server or worker
    /// strips its own down to what the processes it starts need.</summary>
    public static IReadOnlyDictionary<string, string> Capture()
    {
        var captured = LiveEnvironment();
        Volatile.Write(ref s_captured, captured);
        return captured;
    }

    private static Dictionary<string, string> LiveEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                env[name] = value;
            }
        }

        return env;
    }

    /// <summary>Whether <paramref name="name"/> can be an environment variable's name.</summary>
    public static bool IsVariableName(string name) =>
        name.Length is > 0 and <= 256
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
