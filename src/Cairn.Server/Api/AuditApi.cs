using System.Globalization;
using Cairn.Core.Secrets;
using Cairn.Server.Access;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>One audit entry as the API shows it: who (<c>actor</c>, and <c>tokenName</c> when they used a token) did what
/// (<c>action</c>) to which repository and target, from which address, and how it ended (<c>outcome</c>: ok, denied,
/// failed). A secret read or changed names the <c>secret</c> (never its value); a job's read names its run and job and no
/// actor; a rejection's <c>detail</c> is the reason given.</summary>
public sealed record AuditView(
    long Id,
    DateTimeOffset At,
    long? RunId,
    long? JobId,
    string? Repository,
    string? Secret,
    string Action,
    string? Actor,
    string? Detail,
    string? TokenName = null,
    string? Target = null,
    string? ClientAddress = null,
    string Outcome = "ok");

/// <summary>The audit log, read only: it is appended to by the actions it records and nothing edits or removes it (a
/// PUT, PATCH or DELETE here answers 405). Filtered by actor, action and repository, newest first, and narrowed to what
/// the caller may read (<see cref="AuditVisibility"/>).</summary>
internal static class AuditApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/audit", ListAsync).WithName("ListAudit").ForSignedIn();

    private static async Task<IResult> ListAsync(
        IAuditLog audit,
        AuditVisibility visibility,
        Caller caller,
        string? actor,
        string? action,
        string? repo,
        string? cursor,
        int? limit,
        CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var before, out var take, out var problem))
        {
            return problem!;
        }

        var query = await visibility.NarrowAsync(caller, new AuditQuery(Given(actor), Given(action), Given(repo), before, take + 1), cancellationToken);
        var items = await audit.ListAuditAsync(query, cancellationToken);
        var page = items.Take(take).Select(View).ToList();
        return Results.Ok(new Page<AuditView>(page, items.Count > take ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    public static AuditView View(AuditEntry e) => new(
        e.Id, e.At, e.RunId, e.JobId, e.Repository, e.Secret, e.Action, e.Actor, e.Detail, e.TokenName, e.Target, e.ClientAddress, e.Outcome);

    private static string? Given(string? filter) => string.IsNullOrWhiteSpace(filter) ? null : filter.Trim();
}
