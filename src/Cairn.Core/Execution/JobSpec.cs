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
    ExpressionContext Context);

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
