using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Execution;

/// <summary>Everything an executor needs to run one job: no store, no pipeline, no forge.</summary>
/// <param name="Env">The job's environment, merged pipeline → job, expressions expanded, CAIRN_* included. Steps add their own on top.</param>
/// <param name="Context">What step <c>if:</c> conditions may read.</param>
public sealed record JobSpec(
    long RunId,
    long JobId,
    string JobName,
    int Attempt,
    string Workspace,
    string? Image,
    string? Runner,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<StepSpec> Steps,
    TimeSpan? Timeout,
    ExpressionContext Context)
{
    /// <summary>Sidecar containers (a database for integration tests…) started before the steps, reachable by name.</summary>
    public IReadOnlyList<ServiceSpec> Services { get; init; } = [];

    /// <summary>CPU and memory the runner alias grants the job; null means no limit.</summary>
    public ResourceLimits? Resources { get; init; }

    /// <summary>The user the runner alias runs steps as (<c>user:</c>); null for the executor's default.</summary>
    public string? User { get; init; }

    /// <summary>Names of the worker's own variables the runner alias lets through to the steps (<c>pass-env:</c>).</summary>
    public IReadOnlyList<string> PassEnv { get; init; } = [];

    /// <summary>The job runs code nobody trusted has vouched for: a pull request from a fork. An executor that cannot
    /// keep such code away from the host's keys must refuse it.</summary>
    public bool Untrusted { get; init; }

    /// <summary>The pod settings of the job's runner alias (kubernetes executor only).</summary>
    public Runners.KubernetesRunnerOptions? Kubernetes { get; init; }

    /// <summary>Where an executor that fetches its own source (<see cref="IFetchesOwnSource"/>) gets the run's commit;
    /// null when the run has no repository or this worker cannot hand one out (then the workspace starts empty).</summary>
    public JobSource? Source { get; init; }

    /// <summary>The lease this attempt runs under: what a pod's <c>cairn.lease</c> label names, so a janitor can tell
    /// what no live lease owns. Null outside a leased attempt.</summary>
    public Guid? LeaseId { get; init; }

    /// <summary>Names of the variables in <see cref="Env"/> that hold the job's secrets: an executor that writes a
    /// manifest keeps these out of it.</summary>
    public IReadOnlyList<string> SecretNames { get; init; } = [];

    /// <summary>The agent of an agent job: run as step 0 of <see cref="Steps"/>, the verify steps after it. Null for
    /// other jobs.</summary>
    public AgentSpec? Agent { get; init; }

    /// <summary>What a publish job pushes and opens; null for other jobs.</summary>
    public Planning.PublishJson? Publish { get; init; }

    /// <summary>The repository's full name, when the run has one.</summary>
    public string? Repository { get; init; }

    /// <summary>The artifacts it brings in from the jobs it needs, the caches it restores and saves, what it keeps, and
    /// where; null when the worker keeps nothing (the sequencer then says so if the job asked for any).</summary>
    public Artifacts.JobFiles? Files { get; init; }

    /// <summary>Labels every container or pod of the job carries (<c>cairn.run</c>, <c>cairn.job</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels => new Dictionary<string, string>
    {
        ["cairn.run"] = RunId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["cairn.job"] = JobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The run's commit as a job away from this host fetches it: git's smart HTTP at <paramref name="Url"/>, with
/// <paramref name="Token"/> as <c>Authorization: Bearer</c> (a job-scoped token, good while the lease lives).</summary>
public sealed record JobSource(Uri Url, string Sha, string Token)
{
    /// <summary>The token stays out of logs and records.</summary>
    public override string ToString() => $"JobSource {{ Url = {Url}, Sha = {Sha}, Token = *** }}";
}

/// <summary>A sidecar container of a job: its name is the host name the steps reach it by.</summary>
public sealed record ServiceSpec(
    string Name,
    string Image,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string>? Command = null);

/// <summary>CPU (cores, fractions allowed) and memory (bytes) limits for a job.</summary>
public sealed record ResourceLimits(double? Cpu, long? MemoryBytes);

/// <summary>One step: a script run by a shell, with its own env, timeout and condition.</summary>
/// <param name="Index">Position in the job, from 0.</param>
/// <param name="Condition">An expression (no <c>${{ }}</c> needed); null means <c>success()</c>.</param>
public sealed record StepSpec(
    int Index,
    string Name,
    string Run,
    IReadOnlyDictionary<string, string> Env,
    TimeSpan? Timeout,
    string? Condition);

/// <summary>An agent job as its executor needs it.</summary>
/// <param name="Branch">The job's own branch (<see cref="Agents.AgentBranches.For"/>).</param>
/// <param name="BaseSha">The run's commit: where the agents' configuration files and the role are read from.</param>
/// <param name="StartBranch">The branch of the agent job before it, to start from when the job's own branch does not
/// exist yet; null: start from <paramref name="BaseSha"/>.</param>
/// <param name="Inputs">Untrusted values by name, fenced into the prompt.</param>
public sealed record AgentSpec(
    string Profile,
    Agents.AgentCli Cli,
    string? Model,
    string? Role,
    IReadOnlyList<string> AllowedTools,
    IReadOnlyList<string> DisallowedTools,
    Agents.AgentLimits Limits,
    string Prompt,
    IReadOnlyList<KeyValuePair<string, string>> Inputs,
    string Branch,
    string BaseSha,
    string? StartBranch)
{
    /// <summary>Set on a later attempt whose session goes on instead of starting over.</summary>
    public AgentResume? Resume { get; init; }
}

/// <summary>Go on with an earlier attempt's session: <paramref name="Reason"/> is what the agent is told (the failing
/// verify output, or that the last attempt was cut off).</summary>
public sealed record AgentResume(string SessionId, string Reason);
