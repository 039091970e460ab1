namespace Cairn.Forges.Plane;

/// <summary>A verified Plane webhook delivery, read into what Cairn acts on, whichever version of Plane's webhooks sent it.</summary>
/// <param name="DedupeKey">Plane's <c>event_id</c> (v2); for v1, which has none, <c>sha256:</c> and the hex SHA-256 of the body.</param>
/// <param name="Event">The event in its v2 spelling: <c>workitem.created</c>, <c>workitem.updated</c>,
/// <c>workitem.comment.created</c>, or another Plane event as it was named.</param>
/// <param name="Version"><c>v2</c> or <c>v1</c>.</param>
/// <param name="ProjectId">The work item's project, when the delivery says (comment deliveries of v2 do not).</param>
/// <param name="WorkItem">The work item the event is about (v2's <c>entity_id</c>), when it concerns one.</param>
/// <param name="Title">The work item's name, when the delivery carries it.</param>
/// <param name="LabelIds">The ids of its labels as the delivery lists them (names are fetched through the API).</param>
/// <param name="Actor">Plane's id of whoever caused the event, when known.</param>
/// <param name="Comment">The comment, for <c>workitem.comment.created</c>.</param>
public sealed record PlaneDelivery(
    string DedupeKey,
    string Event,
    string Version,
    string? WorkspaceId,
    string? ProjectId,
    string? WorkItem,
    string? Title,
    string? Description,
    IReadOnlyList<string> LabelIds,
    string? Actor,
    PlaneCommentEvent? Comment)
{
    public const string WorkItemCreated = "workitem.created";
    public const string WorkItemUpdated = "workitem.updated";
    public const string CommentCreated = "workitem.comment.created";

    /// <summary>Whether the event may start a run (a work item created or updated).</summary>
    public bool IsWorkItemChange => WorkItem is not null && Event is WorkItemCreated or WorkItemUpdated;
}

/// <summary>A comment on a work item as a webhook tells it: its id, who wrote it, and its text without markup.</summary>
public sealed record PlaneCommentEvent(string Id, string? Actor, string Text);
