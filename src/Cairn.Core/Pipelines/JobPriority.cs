namespace Cairn.Core.Pipelines;

/// <summary>How soon a queued job is leased, before its age is looked at: <c>priority: high | normal | low</c>.</summary>
/// <remarks>The numbers are what the store keeps and sorts by, ascending: a smaller number is leased first.</remarks>
public enum JobPriority
{
    High = 0,
    Normal = 1,
    Low = 2,
}

/// <summary>The wire names of <see cref="JobPriority"/>, as <c>.cairn.yml</c> writes them.</summary>
public static class JobPriorities
{
    public static IReadOnlyList<string> Names { get; } = ["high", "normal", "low"];

    public static string ToWire(this JobPriority priority) => priority switch
    {
        JobPriority.High => "high",
        JobPriority.Normal => "normal",
        JobPriority.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(priority)),
    };

    public static bool TryParse(string? text, out JobPriority priority)
    {
        (var known, priority) = text switch
        {
            "high" => (true, JobPriority.High),
            "normal" => (true, JobPriority.Normal),
            "low" => (true, JobPriority.Low),
            _ => (false, JobPriority.Normal),
        };
        return known;
    }
}
