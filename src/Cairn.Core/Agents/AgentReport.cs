namespace Cairn.Core.Agents;

/// <summary>What an agent job says of its agent, through <see cref="Execution.IJobReporter.Agent"/>: sent once the session
/// id is known (before the CLI starts, when Cairn chooses it), again as turns and cost grow, and last when it ended.</summary>
/// <param name="Branch">The branch the job works on (<c>cairn/12-implement</c>).</param>
/// <param name="Head">The branch's commit once the agent's work is committed, else null.</param>
/// <param name="Transcript">Where the raw stream of this attempt is kept (a file the worker's host owns), else null.</param>
/// <param name="VerifyFailure">When a verify step failed: its name and the last lines of its output (masked), which a
/// retry gives the resumed session to fix.</param>
public sealed record AgentReport(
    AgentCli Cli,
    string? Model,
    string? SessionId,
    AgentUsage Usage,
    string? Result,
    string Branch,
    string? Head,
    string? Transcript,
    bool Ended)
{
    public string? VerifyFailure { get; init; }

    /// <summary>The commit status description of a finished agent: <c>12 turns · $0.84 · 6m</c>.</summary>
    public static string Describe(AgentUsage usage, TimeSpan? took)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var parts = new List<string>(3);
        if (usage.Turns is { } turns)
        {
            parts.Add(turns == 1 ? "1 turn" : $"{turns} turns");
        }

        if (usage.CostUsd is { } cost)
        {
            parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"${cost:0.00}"));
        }

        if (took is { } t)
        {
            parts.Add(Pipelines.Duration.Format(TimeSpan.FromSeconds(Math.Max(1, Math.Round(t.TotalSeconds)))));
        }

        return string.Join(" · ", parts);
    }
}

/// <summary>An agent attempt as the store keeps it.</summary>
public sealed record AgentSessionRecord(long RunId, long JobId, int Attempt, string Repository, AgentReport Report, DateTimeOffset UpdatedAt);

/// <summary>What a repository's agents spent since a moment (a UTC day's start), from the CLIs' own estimates.</summary>
public sealed record AgentSpend(decimal CostUsd, long Tokens);

/// <summary>The agent records: written by an agent job's attempt while it runs, read by the API, the dashboard, the
/// budget check and the next attempt (which resumes the session).</summary>
public interface IAgentSessionStore
{
    /// <summary>Inserts or replaces the record of (job, attempt).</summary>
    Task RecordAgentAsync(long jobId, int attempt, AgentReport report, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The record of one attempt, or null.</summary>
    Task<AgentSessionRecord?> GetAgentSessionAsync(long jobId, int attempt, CancellationToken cancellationToken);

    /// <summary>Every attempt's record of a run's agent jobs, by job then attempt.</summary>
    Task<IReadOnlyList<AgentSessionRecord>> GetAgentSessionsAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The sum over the repository's agent attempts updated at or after <paramref name="since"/>.</summary>
    Task<AgentSpend> GetAgentSpendAsync(string repository, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>A repository's daily agent budget (a server setting): whether an agent job may start now, and if not why and
/// until when.</summary>
public interface IAgentBudget
{
    /// <summary>Null when the job may start; else the reason a person reads as the job's pending reason
    /// (<c>the repository's daily agent budget is spent ($10.02 of $10.00); it starts again at 00:00 UTC</c>) and when to
    /// look again.</summary>
    Task<(string Reason, DateTimeOffset Until)?> RefusalAsync(string repository, CancellationToken cancellationToken);
}
