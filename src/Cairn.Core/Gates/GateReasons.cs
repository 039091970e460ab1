using System.Globalization;

namespace Cairn.Core.Gates;

/// <summary>The sentences a gate says of itself: why its job waits, and what ended it.</summary>
public static class GateReasons
{
    /// <summary><c>waiting for approval by team:leads, alice (1 of 2)</c>.</summary>
    public static string Waiting(IReadOnlyList<string> approvers, int approvals, int min)
    {
        ArgumentNullException.ThrowIfNull(approvers);
        var who = approvers.Count == 0 ? "nobody (no approvers are named)" : string.Join(", ", approvers);
        return string.Create(CultureInfo.InvariantCulture, $"waiting for approval by {who} ({approvals} of {min})");
    }

    /// <summary><c>approved by alice, bob</c>.</summary>
    public static string Approved(IEnumerable<string> people) => "approved by " + string.Join(", ", people);

    /// <summary><c>rejected by bob (dashboard): COMMENT</c>.</summary>
    public static string Rejected(string person, ApprovalChannel channel, string? comment) =>
        string.IsNullOrWhiteSpace(comment)
            ? $"rejected by {person} ({channel.ToWire()})"
            : $"rejected by {person} ({channel.ToWire()}): {comment.Trim()}";

    /// <summary><c>no decision within 72h</c>.</summary>
    public static string TimedOut(TimeSpan waited) => $"no decision within {Pipelines.Duration.Format(waited)}";
}
