namespace Cairn.Server.Trackers;

/// <summary>The pace of Plane's side: the pause before a delivery whose API call failed is planned again, the window
/// within which a work item's changes make at most one run, and the first pause before a comment that could not be
/// posted is tried again (doubling per attempt, up to ten minutes).</summary>
public sealed record PlanePlanning(TimeSpan RetryAfter, TimeSpan Coalesce, TimeSpan CommentRetry)
{
    public static PlanePlanning Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

    /// <summary>The pause after <paramref name="attempts"/> failed attempts to post a comment.</summary>
    public TimeSpan CommentBackoff(int attempts)
    {
        var delay = CommentRetry * Math.Pow(2, Math.Min(attempts, 12));
        return delay > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : delay;
    }
}
