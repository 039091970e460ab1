using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Whether a failed attempt is tried again, and when. Without a <c>retry:</c> rule an <c>infra</c> failure
/// is retried once; <c>config</c>, <c>cancelled</c> and <c>agent-policy</c> never are. <c>lint</c>, <c>test</c> and <c>build</c> are kinds of
/// <c>script</c> failure, so a rule on <c>script</c> retries them too.</summary>
public sealed class RetryPolicy(Random random, TimeSpan defaultBackoff)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(10);

    public RetryPolicy()
        : this(Random.Shared, TimeSpan.FromSeconds(10))
    {
    }

    /// <summary>The delay before the next attempt, or null when the job's failure is final.</summary>
    /// <param name="attempt">The attempt that just failed, from 1.</param>
    public TimeSpan? NextDelay(RetryJson? rule, FailureClass failureClass, int attempt)
    {
        if (failureClass is FailureClass.Config or FailureClass.Cancelled or FailureClass.AgentPolicy)
        {
            return null;
        }

        var (max, classes, backoff) = rule is null
            ? (1, (IReadOnlyList<string>)[FailureClass.Infra.ToWire()], defaultBackoff)
            : (rule.Max, rule.On, rule.BackoffMs is { } ms ? TimeSpan.FromMilliseconds(ms) : defaultBackoff);

        if (attempt > max || !Covers(classes, failureClass))
        {
            return null;
        }

        // Exponential, with up to a fifth of jitter so that jobs failed by one outage do not all come back at once.
        var exponential = backoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jitter = 1 + (random.NextDouble() * 0.2);
        return TimeSpan.FromMilliseconds(Math.Min(exponential * jitter, MaxBackoff.TotalMilliseconds));
    }

    // The log heuristics only refine a script failure; a rule written before them must keep retrying what it did.
    private static bool Covers(IReadOnlyList<string> classes, FailureClass failureClass) =>
        classes.Contains(failureClass.ToWire())
        || (failureClass is FailureClass.Lint or FailureClass.Test or FailureClass.Build && classes.Contains(FailureClass.Script.ToWire()));
}
