using Cairn.Core.Runs;

namespace Cairn.Core.Pipelines;

/// <summary>A place in a pipeline file, 1-based, as errors print it.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>Something wrong with a pipeline, at a place, said so that a person can act on it.</summary>
public sealed record PipelineError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: error: {Message}";
}

/// <summary>Something allowed but probably not meant, at a place.</summary>
public sealed record PipelineWarning(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: warning: {Message}";
}

/// <summary>A parsed, valid <c>.cairn.yml</c>. Job order is file order.</summary>
public sealed record Pipeline(
    string Name,
    TriggerRules On,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<JobDefinition> Jobs,
    string SourceFile)
{
    /// <summary><c>concurrency:</c>; null when runs of the pipeline may overlap freely.</summary>
    public ConcurrencyDefinition? Concurrency { get; init; }

    /// <summary><c>priority:</c> at the top level, for every job that names none; null when not written (normal).</summary>
    public JobPriority? Priority { get; init; }
}

/// <summary><c>concurrency:</c> — runs whose <see cref="Group"/> expands to the same name run one at a time.</summary>
/// <param name="Group">As written; may hold <c>${{ }}</c> expressions reading <c>inputs</c> and <c>cairn</c>, expanded by the planner.</param>
/// <param name="CancelInProgress">A new run cancels the group's run in progress instead of waiting for it.</param>
public sealed record ConcurrencyDefinition(string Group, bool CancelInProgress, SourceLocation Location);

/// <summary>The <c>on:</c> section. A null trigger is one the pipeline does not run for.</summary>
public sealed record TriggerRules(
    PushTrigger? Push,
    PullRequestTrigger? PullRequest,
    IReadOnlyList<ScheduleTrigger> Schedule,
    ManualTrigger? Manual);

/// <summary>Globs (<c>*</c> within a segment, <c>**</c> across) that a push must match; empty lists match everything.</summary>
public sealed record PushTrigger(IReadOnlyList<string> Branches, IReadOnlyList<string> Tags, IReadOnlyList<string> Paths);

public sealed record PullRequestTrigger(IReadOnlyList<string> Branches, IReadOnlyList<string> Paths);

/// <summary>One <c>on.schedule</c> entry: the cron as written and its zone (an IANA name, <c>UTC</c> unless given).</summary>
public sealed record ScheduleTrigger(string Cron, CronSchedule Expression, SourceLocation Location)
{
    /// <summary>The IANA name of the zone the cron is read in.</summary>
    public string TimeZone => Expression.TimeZone.Id;
}

public sealed record ManualTrigger(IReadOnlyDictionary<string, ManualInput> Inputs);

public sealed record ManualInput(string? Default, bool Required, string? Description);

/// <summary>One job as written (before matrix expansion).</summary>
/// <param name="Key">The job's key under <c>jobs:</c>; what <c>needs:</c> names.</param>
/// <param name="If">The condition, with any <c>${{ }}</c> wrapper removed; null means <c>success()</c>.</param>
public sealed record JobDefinition(
    string Key,
    IReadOnlyList<string> Needs,
    string? Runner,
    string? Image,
    TimeSpan? Timeout,
    MatrixDefinition? Matrix,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> Secrets,
    RetryDefinition? Retry,
    string? If,
    IReadOnlyList<StepDefinition> Steps,
    SourceLocation Location)
{
    /// <summary>Sidecar containers by name, in file order; empty when the job has none.</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    /// <summary><c>priority:</c> of the job; null when not written (the pipeline's, else normal).</summary>
    public JobPriority? Priority { get; init; }
}

/// <summary>A sidecar container of a job. <see cref="Image"/> and env values may hold <c>${{ }}</c> expressions;
/// <see cref="Command"/> (null: the image's own) is passed as written.</summary>
public sealed record ServiceDefinition(
    string Name,
    string Image,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string>? Command,
    SourceLocation Location);

/// <summary>One step as written. <see cref="Name"/> defaults to the first line of the script.</summary>
public sealed record StepDefinition(
    string Name,
    string Run,
    TimeSpan? Timeout,
    IReadOnlyDictionary<string, string> Env,
    string? If,
    SourceLocation Location);

/// <summary>A matrix: axes in file order, each with its values as strings, plus include and exclude entries.</summary>
public sealed record MatrixDefinition(
    IReadOnlyList<MatrixAxis> Axes,
    IReadOnlyList<IReadOnlyDictionary<string, string>> Include,
    IReadOnlyList<IReadOnlyDictionary<string, string>> Exclude);

public sealed record MatrixAxis(string Name, IReadOnlyList<string> Values);

/// <summary>One expanded combination: (axis, value) pairs in axis order, then any keys that only <c>include</c> added.</summary>
public sealed record MatrixCombination(IReadOnlyList<KeyValuePair<string, string>> Values)
{
    /// <summary>The job's display name for this combination: <c>test (debian, 10)</c>.</summary>
    public string JobName(string key) => $"{key} ({string.Join(", ", Values.Select(v => v.Value))})";

    public IReadOnlyDictionary<string, string> ToDictionary() => Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
}

/// <summary><c>retry:</c> — up to <see cref="Max"/> more attempts when the failure's class is in <see cref="On"/>.</summary>
public sealed record RetryDefinition(int Max, IReadOnlyList<FailureClass> On, TimeSpan? Backoff);
