namespace Cairn.Cli.Commands.Client;

/// <summary>An agent job's agent as the server shows it: the latest attempt's record, and every attempt's (newest first).</summary>
internal sealed record AgentView(
    string Cli,
    string? Model,
    string? SessionId,
    int? Turns,
    long? InputTokens,
    long? OutputTokens,
    decimal? CostUsd,
    string? Result,
    string? Branch,
    string? Head,
    IReadOnlyList<AgentAttemptView>? Attempts = null);

/// <summary>One attempt of an agent job.</summary>
internal sealed record AgentAttemptView(int Attempt, string? SessionId, int? Turns, decimal? CostUsd, bool Ended, DateTimeOffset UpdatedAt);

/// <summary>An approval job's gate: who may approve, how many approvals it needs and has, the commit, the decisions.</summary>
internal sealed record GateView(
    IReadOnlyList<string>? Approvers,
    int Min,
    int Approvals,
    string? Sha,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<GateDecisionItemView>? Decisions = null);

/// <summary>One person's decision on a gate.</summary>
internal sealed record GateDecisionItemView(string Person, string Channel, bool Approved, string? Sha, string? Comment, DateTimeOffset At);

/// <summary>A pull request a run's publish job opened, with its checks: <c>summary</c> reads <c>PR #12: checks passing</c>.</summary>
internal sealed record PullRequestView(long JobId, int Number, string Url, string? Branch, bool Draft, string? Checks, string? ChecksDetail, string? Summary);
