using Cairn.Core.Agents;
using Cairn.Core.Gates;

namespace Cairn.Server.Api;

/// <summary>An agent job's agent as the API shows it: the latest attempt's record at the top, every attempt's below.
/// <c>result</c> is what the CLI said of its work, masked when it was recorded.</summary>
public sealed record AgentView(
    string Cli,
    string? Model,
    string? SessionId,
    int? Turns,
    long? InputTokens,
    long? OutputTokens,
    decimal? CostUsd,
    string? Result,
    string Branch,
    string? Head,
    IReadOnlyList<AgentAttemptView> Attempts)
{
    /// <summary><c>12 turns · $0.84</c>: what a run's row says of the agent.</summary>
    public string Summary { get; init; } = "";

    /// <summary>The records of a run's agent jobs (by job then attempt) as views, by job id.</summary>
    internal static Dictionary<long, AgentView> Of(IReadOnlyList<AgentSessionRecord> records) =>
        records.GroupBy(r => r.JobId).ToDictionary(g => g.Key, g => OfJob([.. g.OrderBy(r => r.Attempt)]));

    /// <summary>One job's attempts, oldest first, as a view of the latest with every attempt listed newest first.</summary>
    internal static AgentView OfJob(IReadOnlyList<AgentSessionRecord> attempts)
    {
        var last = attempts[^1].Report;
        return new AgentView(
            last.Cli.ToWire(), last.Model, last.SessionId, last.Usage.Turns, last.Usage.InputTokens, last.Usage.OutputTokens, last.Usage.CostUsd,
            last.Result, last.Branch, last.Head,
            [.. attempts.Reverse().Select(a => new AgentAttemptView(a.Attempt, a.Report.SessionId, a.Report.Usage.Turns, a.Report.Usage.CostUsd, a.Report.Ended, a.UpdatedAt))])
        {
            Summary = AgentReport.Describe(last.Usage, null),
        };
    }
}

/// <summary>One attempt of an agent job: its session, turns and cost, whether its agent ended, and when it was last
/// recorded. Its raw stream is at <c>/api/v1/runs/{id}/jobs/{jobId}/agent/transcript?attempt=N</c>.</summary>
public sealed record AgentAttemptView(int Attempt, string? SessionId, int? Turns, decimal? CostUsd, bool Ended, DateTimeOffset UpdatedAt);

/// <summary>An approval job's gate: who may approve, how many approvals it needs, the commit it asks about, when it opened
/// and its deadline, and the decisions so far (oldest first).</summary>
public sealed record GateView(
    IReadOnlyList<string> Approvers,
    int Min,
    int Approvals,
    string? Sha,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<GateDecisionItemView> Decisions)
{
    internal static GateView Of(GateRecord gate, IEnumerable<ApprovalRecord> approvals)
    {
        var decisions = approvals.Where(a => a.JobId == gate.JobId).ToList();
        return new GateView(
            gate.Approvers, gate.Min, decisions.Count(a => a.Approved && string.Equals(a.Sha, gate.Sha, StringComparison.Ordinal)), gate.Sha, gate.OpenedAt, gate.Deadline,
            [.. decisions.Select(a => new GateDecisionItemView(a.Person, a.Channel.ToWire(), a.Approved, a.Sha, a.Comment, a.At))]);
    }
}

/// <summary>One person's decision on a gate: <c>channel</c> is dashboard, cli, api, forge-review or tracker.</summary>
public sealed record GateDecisionItemView(string Person, string Channel, bool Approved, string? Sha, string? Comment, DateTimeOffset At);
