using System.Globalization;
using System.Text;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>What <c>cairn show</c> prints under a run's jobs of its agents, gates and pull requests: per agent job
/// <c>agent: claude sonnet · 12 turns · 48k in / 9k out tokens · $0.84 · session 6f1c…</c> and the first line of its
/// result; per gate its approvers, approvals so far and commit, and each decision; per pull request
/// <c>PR #12: checks passing URL</c>. Empty for a run with none.</summary>
internal static class AgentLines
{
    private const int ResultWidth = 100;

    public static string Of(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder();
        foreach (var job in run.Jobs ?? [])
        {
            if (job.Agent is { } agent)
            {
                text.Append('\n').Append(job.Name).AppendLine(":");
                text.Append("  agent: ").AppendLine(Agent(agent));
                if (FirstLine(agent.Result) is { } result)
                {
                    text.Append("  result: ").AppendLine(result);
                }

                if (agent.Branch is { Length: > 0 } branch)
                {
                    text.Append("  branch: ").Append(branch).AppendLine(agent.Head is { } head ? " at " + ServerViews.ShortSha(head) : "");
                }
            }

            if (job.Gate is { } gate)
            {
                text.Append('\n').Append(job.Name).AppendLine(":");
                text.Append("  gate: ").AppendLine(Gate(gate));
                foreach (var decision in gate.Decisions ?? [])
                {
                    text.Append("    ").Append(decision.Approved ? "approved" : "rejected").Append(" by ").Append(decision.Person)
                        .Append(" (").Append(decision.Channel).Append(')')
                        .AppendLine(FirstLine(decision.Comment) is { } comment ? ": " + comment : "");
                }
            }
        }

        foreach (var pullRequest in run.PullRequests ?? [])
        {
            var summary = pullRequest.Summary ?? string.Create(CultureInfo.InvariantCulture, $"PR #{pullRequest.Number}");
            text.Append('\n').Append(summary).Append(' ').Append(pullRequest.Url).Append(pullRequest.Draft ? " (draft)" : "");
        }

        return text.Length == 0 ? "" : text.ToString().TrimEnd('\n').Insert(0, "\n");
    }

    /// <summary><c>claude sonnet · 12 turns · 48k in / 9k out tokens · $0.84 · session 6f1c…</c>.</summary>
    public static string Agent(AgentView agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var parts = new List<string> { agent.Model is { Length: > 0 } model ? $"{agent.Cli} {model}" : agent.Cli };
        if (agent.Turns is { } turns)
        {
            parts.Add(turns == 1 ? "1 turn" : string.Create(CultureInfo.InvariantCulture, $"{turns} turns"));
        }

        if (agent.InputTokens is not null || agent.OutputTokens is not null)
        {
            parts.Add($"{Tokens(agent.InputTokens)} in / {Tokens(agent.OutputTokens)} out tokens");
        }

        if (agent.CostUsd is { } cost)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"${cost:0.00}"));
        }

        if (agent.SessionId is { Length: > 0 } session)
        {
            parts.Add("session " + (session.Length > 4 ? session[..4] + "…" : session));
        }

        if (agent.Attempts is { Count: > 1 } attempts)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{attempts.Count} attempts"));
        }

        return string.Join(" · ", parts);
    }

    /// <summary><c>approvers team:leads, alice · 1 of 2 approvals · commit 0123456</c>.</summary>
    public static string Gate(GateView gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var approvers = gate.Approvers is { Count: > 0 } named ? string.Join(", ", named) : "nobody";
        return string.Create(CultureInfo.InvariantCulture, $"approvers {approvers} · {gate.Approvals} of {gate.Min} approvals · commit {ServerViews.ShortSha(gate.Sha)}");
    }

    /// <summary>48000 → 48k, 1500 → 1.5k, 1200000 → 1.2M, 999 → 999.</summary>
    public static string Tokens(long? count) => count switch
    {
        null => "-",
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count.Value / 1_000_000d:0.#}M"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{count.Value / 1_000d:0.#}k"),
        _ => count.Value.ToString(CultureInfo.InvariantCulture),
    };

    private static string? FirstLine(string? text)
    {
        var line = text?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line is null ? null : line.Length <= ResultWidth ? line : line[..(ResultWidth - 1)] + "…";
    }
}
