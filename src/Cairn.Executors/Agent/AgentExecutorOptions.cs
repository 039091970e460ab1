using Cairn.Core.Agents;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Agent;

/// <summary>How the agent executor runs agent CLIs on this host.</summary>
public sealed class AgentExecutorOptions
{
    /// <summary>The state folder: <c>ROOT/run-R/job-J/{home,worktree,attempt-N.jsonl,prompt-N.md,role.md}</c>.</summary>
    public required string Root { get; init; }

    /// <summary>Where each job's worktree, HOME, prompt and role are made: what the agent and the verify steps, running as
    /// the user steps run as, must reach. Null: <see cref="Root"/>. A server puts it beside its workspaces, outside its data
    /// directory (which no step may enter); its repositories and transcripts stay under <see cref="Root"/>.</summary>
    public string? WorkRoot { get; init; }

    /// <summary>Keep agent branches in the workspace's own repository instead of one of the executor's own: what
    /// <c>cairn run</c> does, whose workspace is the person's repository and outlives the run.</summary>
    public bool BranchesInWorkspace { get; init; }

    /// <summary>Where each CLI is, by CLI; a CLI not named here comes from <c>CAIRN_AGENT_CLAUDE</c> (and so on), else
    /// from <see cref="SearchPath"/>.</summary>
    public IReadOnlyDictionary<AgentCli, string> CliPaths { get; init; } = new Dictionary<AgentCli, string>();

    /// <summary>The PATH the CLIs are found on and run with; null: this process's own.</summary>
    public string? SearchPath { get; init; }

    /// <summary>How long a CLI may stay silent after it starts.</summary>
    public TimeSpan FirstOutput { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a CLI may stay alive after its final result.</summary>
    public TimeSpan AfterResultGrace { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the watchdogs look.</summary>
    public TimeSpan WatchInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The cap on one attempt's raw transcript.</summary>
    public long MaxTranscriptBytes { get; init; } = 50L << 20;

    /// <summary>How the verify steps run (as any shell step) and how long a stopped CLI gets before SIGKILL.</summary>
    public ShellExecutorOptions Shell { get; init; } = new();

    /// <summary>The path of the CLI, or null when it is nowhere to be found.</summary>
    public string? Locate(AgentCli cli, string program)
    {
        if (CliPaths.TryGetValue(cli, out var configured))
        {
            return configured;
        }

        // The environment as the process was started: a server or worker strips its own before it runs jobs.
        if (Core.Execution.StepEnvironmentPolicy.HostEnvironment().GetValueOrDefault("CAIRN_AGENT_" + cli.ToWire().ToUpperInvariant()) is { Length: > 0 } named)
        {
            return named;
        }

        var path = SearchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
    }
}
