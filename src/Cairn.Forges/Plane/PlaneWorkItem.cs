namespace Cairn.Forges.Plane;

/// <summary>A work item as Plane's API gives it (<c>GET …/projects/{project}/issues/{id}/</c>).</summary>
/// <param name="LabelIds">The ids of its labels (the API's <c>labels</c> field).</param>
/// <param name="SequenceId">Its number within the project (<c>WEB-12</c> is the project's identifier and 12).</param>
public sealed record PlaneWorkItem(string Id, string Name, string? Description, IReadOnlyList<string> LabelIds, long? SequenceId);

/// <summary>A member of a workspace: who a comment's actor is.</summary>
public sealed record PlaneMember(string Id, string? Email, string? DisplayName);

/// <summary>What posting a comment came to.</summary>
/// <param name="Posted">Plane has it: posted now (<see cref="Id"/> is its id), or posted before under the same external id (409).</param>
/// <param name="Retry">The failure may pass (429, 5xx, no answer): try again later.</param>
/// <param name="Error">Why it failed, safe to keep (never the key).</param>
public sealed record PlaneCommentResult(bool Posted, string? Id, bool Retry, string? Error);

/// <summary>Plane's API could not be reached or answered with an error.</summary>
public sealed class PlaneApiException(string message, int? status = null) : Exception(message)
{
    /// <summary>The HTTP status, when Plane answered.</summary>
    public int? Status { get; } = status;
}
