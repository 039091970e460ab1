namespace Cairn.Core.Agents;

/// <summary><c>limits:</c> of an agent profile. Null means no limit of that kind (the wall clock still has the job's
/// timeout). <see cref="MaxTurns"/> and <see cref="BudgetUsd"/> are passed to the CLI where it has such a flag and
/// enforced by Cairn from the CLI's own reports where it has not; <see cref="Timeout"/> and <see cref="IdleTimeout"/>
/// are Cairn's own watchdogs.</summary>
public sealed record AgentLimits(int? MaxTurns, decimal? BudgetUsd, TimeSpan? Timeout, TimeSpan? IdleTimeout)
{
    public static AgentLimits None { get; } = new(null, null, null, null);
}
