using Cairn.Core.Agents;
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

    /// <summary><c>agents:</c> — the agent profiles that <c>agent.use</c> names, by name; empty when none.</summary>
    public IReadOnlyDictionary<string, AgentProfile> Agents { get; init; } = new Dictionary<string, AgentProfile>(StringComparer.Ordinal);
}

/// <summary>One entry of <c>agents:</c>: which CLI, which model, its role and tools, its limits.</summary>
/// <param name="Role">A path in the repository to a file appended to the CLI's own system prompt (read at the run's
/// commit, never from the branch under work); null for none.</param>
/// <param name="AllowedTools">Tools the agent may use, in the CLI's own spelling (<c>Read</c>, <c>Bash(dotnet test *)</c>).</param>
public sealed record AgentProfile(
    string Name,
    AgentCli Cli,
    string? Model,
    string? Role,
    IReadOnlyList<string> AllowedTools,
    IReadOnlyList<string> DisallowedTools,
    AgentLimits Limits,
    SourceLocation Location);

/// <summary>What a job does: runs <c>steps:</c>, runs an agent (<c>agent:</c>), waits for people (<c>approval:</c>), or
/// pushes an agent's branch and opens a draft pull request (<c>publish:</c>).</summary>
public enum JobKind
{
    Steps,
    Agent,
    Approval,
    Publish,
}

/// <summary><c>agent:</c> of a job.</summary>
/// <param name="Use">The profile's name under <c>agents:</c>.</param>
/// <param name="Inputs">Names of trigger data given to the agent as fenced untrusted text: <c>trigger.title</c>,
/// <c>trigger.description</c>, <c>trigger.id</c>, <c>trigger.url</c>, <c>trigger.comment</c>.</param>
/// <param name="Verify">Steps run after the agent in its worktree; a <c>build</c>, <c>test</c> or <c>lint</c> failure
/// resumes the same session with the failing output when <c>retry:</c> allows.</param>
public sealed record AgentJobDefinition(
    string Use,
    string Prompt,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<StepDefinition> Verify,
    SourceLocation Location);

/// <summary><c>approval:</c> of a job: who may approve, how many must, and for how long the gate waits.</summary>
/// <param name="Approvers">User names, <c>team:NAME</c>, <c>role:maintainer</c> or <c>role:admin</c>.</param>
/// <param name="Timeout">How long the gate waits once open before it fails (<c>timeout</c>); null: 72 hours.</param>
public sealed record ApprovalDefinition(IReadOnlyList<string> Approvers, int Min, TimeSpan? Timeout, SourceLocation Location);

/// <summary><c>publish:</c> of a job: push an agent job's branch with the server's token and open or update a pull request.</summary>
/// <param name="From">The agent job whose branch is published; null: the one agent job among its needs' ancestors that
/// no other of them follows.</param>
/// <param name="ProtectedPaths">Globs a published change may not touch; null: the defaults (<c>.cairn.yml</c>,
/// <c>.cairn/**</c>, other CI systems' files, the agents' configuration files).</param>
public sealed record PublishDefinition(
    string? From,
    PullRequestPublish PullRequest,
    IReadOnlyList<string>? ProtectedPaths,
    SourceLocation Location);

/// <summary><c>publish.pull-request:</c>. <see cref="Base"/> null: the run's branch.</summary>
public sealed record PullRequestPublish(bool Draft, string? Title, string? Base);

/// <summary><c>concurrency:</c> — runs whose <see cref="Group"/> expands to the same name run one at a time.</summary>
/// <param name="Group">As written; may hold <c>${{ }}</c> expressions reading <c>inputs</c> and <c>cairn</c>, expanded by the planner.</param>
/// <param name="CancelInProgress">A new run cancels the group's run in progress instead of waiting for it.</param>
public sealed record ConcurrencyDefinition(string Group, bool CancelInProgress, SourceLocation Location);

/// <summary>The <c>on:</c> section. A null trigger is one the pipeline does not run for.</summary>
public sealed record TriggerRules(
    PushTrigger? Push,
    PullRequestTrigger? PullRequest,
    IReadOnlyList<ScheduleTrigger> Schedule,
    ManualTrigger? Manual)
{
    /// <summary><c>on.plane</c>: work items of a connected Plane project.</summary>
    public PlaneTrigger? Plane { get; init; }

    /// <summary><c>on.pull_request_review</c>: reviews submitted on pull requests.</summary>
    public ReviewTrigger? PullRequestReview { get; init; }
}

/// <summary><c>on.plane</c>: which events (<c>workitem.created</c>, <c>workitem.updated</c>) and, when any, which label
/// names the work item must carry (one of them).</summary>
public sealed record PlaneTrigger(IReadOnlyList<string> Events, IReadOnlyList<string> Labels);

/// <summary><c>on.pull_request_review</c>: review states (<c>approved</c>, <c>changes_requested</c>, <c>commented</c>;
/// empty: all) and base-branch globs (empty: all).</summary>
public sealed record ReviewTrigger(IReadOnlyList<string> States, IReadOnlyList<string> Branches);

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

    /// <summary>What the job does; <see cref="JobKind.Steps"/> unless it has <c>agent:</c>, <c>approval:</c> or <c>publish:</c>.</summary>
    public JobKind Kind { get; init; } = JobKind.Steps;

    public AgentJobDefinition? Agent { get; init; }

    public ApprovalDefinition? Approval { get; init; }

    public PublishDefinition? Publish { get; init; }

    /// <summary><c>artifacts:</c> — what the job keeps of its workspace when its steps end; null: nothing.</summary>
    public Artifacts.ArtifactRule? Artifacts { get; init; }

    /// <summary><c>cache:</c> — the job's caches in file order, keys and restore keys as written; empty when it has none.</summary>
    public IReadOnlyList<Artifacts.CacheRule> Caches { get; init; } = [];
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
