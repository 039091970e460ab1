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

    /// <summary>Labels every container or pod of the job carries (<c>cairn.run</c>, <c>cairn.job</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels => new Dictionary<string, string>
    {
        ["cairn.run"] = RunId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["cairn.job"] = JobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
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
