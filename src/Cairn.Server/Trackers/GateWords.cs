namespace Cairn.Server.Trackers;

/// <summary>The words of a comment that decide a gate: <c>:approved:</c> or <c>:rejected:</c> (a rejection wins when both are there).</summary>
public static class GateWords
{
    public const string Approved = ":approved:";
    public const string Rejected = ":rejected:";

    /// <summary>True to approve, false to reject, null when the text decides nothing.</summary>
    public static bool? Decision(string? text) =>
        text is null ? null
        : text.Contains(Rejected, StringComparison.OrdinalIgnoreCase) ? false
        : text.Contains(Approved, StringComparison.OrdinalIgnoreCase) ? true
        : null;
}
