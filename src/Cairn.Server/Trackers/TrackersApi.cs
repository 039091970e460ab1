using Cairn.Core.Access;
using Cairn.Core.Repositories;
using Cairn.Core.Trackers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Trackers;

/// <summary>What a client sends to connect a tracker's project to a repository. The secrets are write-only.</summary>
public sealed record TrackerRequest(
    string? Kind, string? Workspace, string? Project, string? Repository, string? ApiUrl, string? WebhookSecret, string? ApiKey);

/// <summary>A tracker as the API shows it: never its secrets. <see cref="WebhookUrl"/> is what the tracker's webhook posts to.</summary>
public sealed record TrackerView(
    long Id, string Kind, string Workspace, string Project, string Repository, string ApiUrl, string? BotUser, DateTimeOffset CreatedAt, string WebhookUrl);

/// <summary>Trackers: <c>POST /api/v1/trackers</c>, <c>GET /api/v1/trackers</c>, <c>DELETE /api/v1/trackers/{id}</c>.
/// Adding or removing one takes the right to manage the repository's secrets (its maintainers and admins), as the tracker
/// holds two; listing shows the trackers of the repositories the caller may read. Both changes are audited.</summary>
internal static class TrackersApi
{
    public const string Added = "tracker.added";
    public const string Removed = "tracker.removed";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/trackers", AddAsync).WithName("AddTracker").ForListing();
        api.MapGet("/trackers", ListAsync).WithName("ListTrackers").ForListing();
        api.MapDelete("/trackers/{id:long}", RemoveAsync).WithName("RemoveTracker").ForListing();
    }

    private static async Task<IResult> AddAsync(
        TrackerRequest? request, Caller caller, ITrackerStore trackers, IRepositoryStore repositories, RepositoryAccess access,
        AuditTrail audit, ServerSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.BadRequest("send a JSON object: { \"kind\": \"plane\", \"workspace\", \"project\", \"repository\", \"apiUrl\", \"webhookSecret\", \"apiKey\" }");
        }

        var errors = new List<string>();
        if (request.Kind != "plane")
        {
            errors.Add("kind: the one tracker is \"plane\"");
        }

        Require(errors, "workspace", request.Workspace);
        Require(errors, "project", request.Project);
        Require(errors, "repository", request.Repository);
        Require(errors, "webhookSecret", request.WebhookSecret);
        Require(errors, "apiKey", request.ApiKey);
        if (!Uri.TryCreate(request.ApiUrl, UriKind.Absolute, out var apiUrl) || apiUrl.Scheme is not ("http" or "https"))
        {
            errors.Add("apiUrl: give the tracker's absolute http:// or https:// address");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var role = await access.RoleOnAsync(caller, request.Repository!, cancellationToken);
        var repository = role is null ? null : await repositories.GetRepositoryAsync(request.Repository!, cancellationToken);
        if (repository is null)
        {
            return Problems.NotFound($"there is no repository {request.Repository}");
        }

        if (!RolePermissions.Allows(role, Permission.ManageRepositorySecrets))
        {
            return Problems.Forbidden($"connecting a tracker to {repository.Name} takes a maintainer of it", Role.Maintainer.ToWire());
        }

        var added = await trackers.AddTrackerAsync(
            new NewTracker("plane", request.Workspace!.Trim(), request.Project!.Trim(), repository.Name, apiUrl!, request.WebhookSecret!, request.ApiKey!, time.GetUtcNow()),
            cancellationToken);
        await audit.RecordAsync(caller, Added, repository.Name, $"tracker {added.Id}", AuditOutcomes.Ok, $"plane {added.Workspace}/{added.Project}", cancellationToken);
        return Results.Created($"/api/v1/trackers/{added.Id}", View(added, settings));
    }

    private static async Task<IResult> ListAsync(
        Caller caller, ITrackerStore trackers, RepositoryAccess access, ServerSettings settings, CancellationToken cancellationToken)
    {
        var shown = new List<TrackerView>();
        foreach (var tracker in await trackers.GetTrackersAsync(cancellationToken))
        {
            if (RolePermissions.Allows(await access.RoleOnAsync(caller, tracker.Repository, cancellationToken), Permission.ReadRepository))
            {
                shown.Add(View(tracker, settings));
            }
        }

        return Results.Ok(new Page<TrackerView>(shown, null));
    }

    private static async Task<IResult> RemoveAsync(
        long id, Caller caller, ITrackerStore trackers, RepositoryAccess access, AuditTrail audit, CancellationToken cancellationToken)
    {
        var tracker = await trackers.GetTrackerAsync(id, cancellationToken);
        var role = tracker is null ? null : await access.RoleOnAsync(caller, tracker.Repository, cancellationToken);
        if (tracker is null || role is null)
        {
            return Problems.NotFound($"there is no tracker {id}");
        }

        if (!RolePermissions.Allows(role, Permission.ManageRepositorySecrets))
        {
            return Problems.Forbidden($"removing a tracker of {tracker.Repository} takes a maintainer of it", Role.Maintainer.ToWire());
        }

        var removed = await trackers.RemoveTrackerAsync(id, cancellationToken);
        await audit.RecordAsync(caller, Removed, tracker.Repository, $"tracker {id}", AuditTrail.OutcomeOf(removed), null, cancellationToken);
        return removed ? Results.NoContent() : Problems.NotFound($"there is no tracker {id}");
    }

    private static void Require(List<string> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: required");
        }
    }

    private static TrackerView View(TrackerRecord tracker, ServerSettings settings) => new(
        tracker.Id, tracker.Kind, tracker.Workspace, tracker.Project, tracker.Repository, tracker.ApiUrl.ToString(), tracker.BotUser,
        tracker.CreatedAt, new Uri(settings.PublicUrl, "hooks/plane").ToString());
}
