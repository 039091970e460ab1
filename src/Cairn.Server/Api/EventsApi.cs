using System.Globalization;
using Cairn.Core.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>A journaled event as the API shows it.</summary>
public sealed record EventView(
    long Id,
    string Source,
    string? DeliveryId,
    string Repository,
    string Event,
    string State,
    DateTimeOffset ReceivedAt,
    long? RunId,
    string? Detail);

internal static class EventsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static void Map(RouteGroupBuilder api)
    {
        // The journal holds deliveries no repository claimed: only those who see every repository see those.
        api.MapGet("/events", ListAsync).WithName("ListEvents").ForListing();
        api.MapGet("/events/{id:long}", GetAsync).WithName("GetEvent").ForListing();
    }

    private static async Task<IResult> ListAsync(
        IEventJournal journal, Caller caller, RepositoryAccess access, string? repo, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var before, out var take, out var problem))
        {
            return problem!;
        }

        var visible = await access.VisibleAsync(caller, cancellationToken);
        var items = await journal.ListEventsAsync(repo, before, take + 1, cancellationToken);
        // A page may show fewer than it read when some are not the caller's to see; the cursor still goes on from where it read.
        var page = items.Take(take).Where(e => visible.Allows(e.Repository)).Select(View).ToList();
        return Results.Ok(new Page<EventView>(page, items.Count > take ? items[take - 1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static async Task<IResult> GetAsync(long id, IEventJournal journal, Caller caller, RepositoryAccess access, CancellationToken cancellationToken) =>
        await journal.GetEventAsync(id, cancellationToken) is { } entry && (await access.VisibleAsync(caller, cancellationToken)).Allows(entry.Repository)
            ? Results.Ok(View(entry))
            : Problems.NotFound($"there is no event {id}");

    private static EventView View(JournalEntry entry) => new(
        entry.Id, entry.Source, entry.DeliveryId, entry.Repository, entry.EventName,
        entry.State.ToString().ToLowerInvariant(), entry.ReceivedAt, entry.RunId, entry.Detail);
}

/// <summary>Cursor paging: the cursor is the id of the last item of the previous page; pages go newest first.</summary>
internal static class Paging
{
    public static bool TryRead(string? cursor, int? limit, out long? before, out int take, out IResult? problem)
    {
        before = null;
        take = limit ?? EventsApi.DefaultLimit;
        problem = null;
        if (take is < 1 or > EventsApi.MaxLimit)
        {
            problem = Problems.BadRequest($"limit must be from 1 to {EventsApi.MaxLimit}");
            return false;
        }

        if (cursor is { Length: > 0 })
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                problem = Problems.BadRequest($"'{cursor}' is not a cursor this server gave");
                return false;
            }

            before = id;
        }

        return true;
    }
}
