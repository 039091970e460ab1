namespace Cairn.Core.Pipelines;

/// <summary>The wire names of <see cref="JobKind"/>, as a stored job definition keeps them.</summary>
public static class JobKinds
{
    public static IReadOnlyList<string> Names { get; } = ["steps", "agent", "approval", "publish"];

    public static string ToWire(this JobKind kind) => kind switch
    {
        JobKind.Steps => "steps",
        JobKind.Agent => "agent",
        JobKind.Approval => "approval",
        JobKind.Publish => "publish",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A stored kind; a definition stored before kinds existed has none and is a steps job.</summary>
    public static JobKind Parse(string? wire) => wire switch
    {
        null or "" or "steps" => JobKind.Steps,
        "agent" => JobKind.Agent,
        "approval" => JobKind.Approval,
        "publish" => JobKind.Publish,
        _ => throw new ArgumentOutOfRangeException(nameof(wire), wire, "not a job kind"),
    };
}
