namespace Cairn.Cli.Commands.Client;

/// <summary>A decoded answer and its JSON exactly as the server sent it (what <c>--json</c> prints).</summary>
internal sealed record Answer<T>(T Value, string Json);

/// <summary>A list answer: one page of items and the cursor of the next page (null on the last).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>What <c>cairn repo add</c> sends. Secrets travel only in this body; it never prints them.</summary>
internal sealed record AddRepositoryRequest(
    string Name,
    string Forge,
    string CloneUrl,
    string? ApiUrl,
    string? WebhookSecret,
    string? StatusToken,
    string? DefaultBranch,
    bool? AllowForkSecrets,
    string? ForkPullRequests,
    bool? Public = null)
{
    public override string ToString() => $"repository {Name} on {Forge}";
}

/// <summary>What <c>cairn repo set</c> sends: only the settings given.</summary>
internal sealed record ChangeRepositoryRequest(string? ForkPullRequests, bool? AllowForkSecrets, bool? Public = null, int? MaxRunningJobs = null);

/// <summary>A repository as the server shows it: whether secrets are set, never their values.</summary>
internal sealed record RepositoryView(
    string Name,
    string Forge,
    string CloneUrl,
    string? ApiUrl,
    string? DefaultBranch,
    bool AllowForkSecrets,
    bool HasWebhookSecret,
    bool HasStatusToken,
    string? WebhookUrl,
    DateTimeOffset CreatedAt,
    string? ForkPullRequests = null,
    bool Public = false,
    int? MaxRunningJobs = null);

/// <summary>What <c>cairn trigger</c> sends: a manual run of a ref (or an exact commit) with inputs.</summary>
internal sealed record TriggerRequest(string Ref, string? Sha, IReadOnlyDictionary<string, string> Inputs);

/// <summary>A run as the server shows it; lists may leave out the jobs.</summary>
internal sealed record RunView(
    long Id,
    long Number,
    string Repo,
    string? Pipeline,
    string? Event,
    string? Ref,
    string? Sha,
    string Status,
    string? FailureClass,
    IReadOnlyList<string>? Errors,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long? RerunOf,
    bool CancelRequested,
    IReadOnlyList<JobView>? Jobs,
    string? PendingReason = null,
    string? CancelReason = null,
    long? WaitingBehind = null,
    IReadOnlyList<PullRequestView>? PullRequests = null,
    string? TraceId = null);

/// <summary>What <c>cairn reject</c> sends: the reason, when one is given.</summary>
internal sealed record RejectRequest(string? Reason);

/// <summary>A job of a run, with its latest attempt's outcome.</summary>
internal sealed record JobView(
    long Id,
    string Name,
    string Status,
    int Attempt,
    int? ExitCode,
    string? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<StepView>? Steps,
    PendingReasonView? PendingReason = null,
    IReadOnlyList<AttemptView>? Attempts = null,
    AgentView? Agent = null,
    GateView? Gate = null);

/// <summary>One attempt of a job, newest first in <see cref="JobView.Attempts"/>; servers before attempts were kept send
/// none.</summary>
internal sealed record AttemptView(
    int Attempt,
    string Status,
    int? ExitCode,
    string? FailureClass,
    string? FailureDetail,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Worker);

/// <summary>Why a job is not running: a <c>kind</c> (<c>needs</c>, <c>approval</c>, <c>worker</c>, <c>retry</c>, <c>concurrency</c>) and a
/// sentence.</summary>
internal sealed record PendingReasonView(string Kind, string Text);

/// <summary>A step of a job's latest attempt.</summary>
internal sealed record StepView(
    int Index,
    string Name,
    string Status,
    int? ExitCode,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A journaled forge delivery (or other trigger) and what became of it.</summary>
internal sealed record EventView(
    long Id,
    string Source,
    string? DeliveryId,
    string Repository,
    string Event,
    string State,
    DateTimeOffset ReceivedAt,
    long? RunId,
    string? Detail);

/// <summary>What <c>cairn secret set</c> sends. The value travels only in this body; it never prints it.</summary>
internal sealed record SecretRequest(string Value)
{
    public override string ToString() => "a secret's value";
}

/// <summary>A secret as the server shows it: its name, where it belongs (null: global) and when it was set; never its value.</summary>
internal sealed record SecretView(string Name, string? Scope, DateTimeOffset UpdatedAt);

/// <summary>One audit entry: what was done (a secret read by a job, set or removed; a run approved, rejected, triggered,
/// cancelled or rerun; a repository added, changed or removed…), by whom and with which token, to what, from which
/// address, and how it ended. A server that does not say the last four leaves them null.</summary>
internal sealed record AuditView(
    long Id,
    DateTimeOffset At,
    long? RunId,
    long? JobId,
    string? Repository,
    string? Secret,
    string Action,
    string? Actor = null,
    string? Detail = null,
    string? TokenName = null,
    string? Target = null,
    string? ClientAddress = null,
    string? Outcome = null);
