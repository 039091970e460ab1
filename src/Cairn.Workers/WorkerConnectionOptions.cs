namespace Cairn.Workers;

/// <summary>How a worker's calls to its server behave: the time each may take, how retries back off, and where each
/// failed try is said.</summary>
public sealed record WorkerConnectionOptions(Uri Server, string Token)
{
    /// <summary>The time limit of one call (a long poll gets its wait on top).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The pause before the first retry; each next one doubles it, up to <see cref="MaxDelay"/>, with jitter.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a server's <c>Retry-After</c> is followed.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>This worker's version, sent on every call.</summary>
    public string Version { get; init; } = typeof(WorkerConnectionOptions).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Where each failed try is said, one line each.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;
}
