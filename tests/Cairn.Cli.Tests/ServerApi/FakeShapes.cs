namespace Cairn.Cli.Tests.ServerApi;

// The shapes a Cairn server answers, written here from the API's description and not shared with the client, so a
// client that reads a field under the wrong name fails these tests.

internal sealed record RepoShape(
    string Name, string Forge, string CloneUrl, string ApiUrl, string DefaultBranch, bool AllowForkSecrets,
    bool HasWebhookSecret, bool HasStatusToken, string WebhookUrl, DateTimeOffset CreatedAt, string ForkPullRequests = "approve");

internal sealed record StepShape(int Index, string Name, string Status, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

internal sealed record JobShape(
    long Id, string Name, string Status, int Attempt, int? ExitCode, string? FailureClass, string? FailureDetail,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<StepShape> Steps, PendingReasonShape? PendingReason = null,
    IReadOnlyList<AttemptShape>? Attempts = null);

internal sealed record AttemptShape(
    int Attempt, string Status, int? ExitCode, string? FailureClass, string? FailureDetail, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? Worker);

internal sealed record PendingReasonShape(string Kind, string Text);

internal sealed record RunShape(
    long Id, long Number, string Repo, string Pipeline, string Event, string Ref, string? Sha, string Status,
    string? FailureClass, IReadOnlyList<string> Errors, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, long? RerunOf, bool CancelRequested, IReadOnlyList<JobShape> Jobs,
    string? PendingReason = null, string? CancelReason = null, bool Fork = false, int? PullRequest = null);

internal sealed record EventShape(
    long Id, string Source, string? DeliveryId, string Repository, string Event, string State, DateTimeOffset ReceivedAt, long? RunId, string? Detail);

internal sealed record SecretShape(string Name, string? Scope, DateTimeOffset UpdatedAt);

internal sealed record AuditShape(
    long Id, DateTimeOffset At, long? RunId, long? JobId, string? Repository, string? Secret, string Action, string? Actor = null, string? Detail = null,
    string? TokenName = null, string? Target = null, string? ClientAddress = null, string? Outcome = null);

internal sealed record PageShape<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>One request as the fake received it.</summary>
internal sealed record SeenRequest(
    string Method, string Path, string Query, string Body, string? Authorization, string? IdempotencyKey, string? UserAgent, string? ContentType)
{
    public override string ToString() => $"{Method} {Path}{Query} auth={Authorization} body={Body}";
}
