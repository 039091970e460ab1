using System.Collections.Concurrent;
using Cairn.Core.Access;
using Cairn.Core.Events;
using Cairn.Core.Gates;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Core.Triggers;
using Cairn.Forges.Plane;
using Cairn.Server.Services;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Trackers;

/// <summary>Plans a journaled Plane delivery (<see cref="PlaneEntry"/>). A work item created or updated: its name,
/// description and label names are fetched through Plane's API (a delivery may lack them, or carry only label ids), and a
/// run is started from the repository's default branch with the work item as its trigger, unless a run this work item
/// started has not ended or started within <see cref="PlanePlanning.Coalesce"/> of the delivery: Plane sends one
/// <c>workitem.updated</c> per changed field, so a burst of edits makes one run. A work item's deliveries are planned
/// one at a time in a server. A comment holding <c>:approved:</c> or <c>:rejected:</c> by a workspace member whose email
/// is a Cairn user's decides every open gate of the runs the work item started. When Plane cannot be reached the entry
/// stays pending and is planned again after <see cref="PlanePlanning.RetryAfter"/>.</summary>
internal sealed partial class PlanePlanner(
    SealedTrackerStore trackers,
    PlaneConnections connections,
    IRepositoryStore repositories,
    IRunStore runs,
    IUserStore users,
    IEventJournal journal,
    RunStarter starter,
    IWorkItemNotifier notifier,
    PlanePlanning planning,
    TrackerLoops loops,
    IServiceProvider services,
    TimeProvider time,
    ILogger<PlanePlanner> log)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Items = new(StringComparer.Ordinal);

    /// <summary>The trackers' loops start with the planner, which the server makes when it starts.</summary>
    private readonly bool _loops = Started(loops);

    public async Task PlanAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (PlaneEntry.FromJson(entry.Trigger) is not { } plane)
        {
            await ResolveAsync(entry, EventState.Failed, null, "the journaled delivery cannot be read", cancellationToken);
            return;
        }

        if (await trackers.GetTrackerAsync(plane.Tracker, cancellationToken) is not { } tracker)
        {
            await ResolveAsync(entry, EventState.Failed, null, $"the tracker {plane.Tracker} was removed", cancellationToken);
            return;
        }

        if (plane.WorkItem is null)
        {
            await ResolveAsync(entry, EventState.Ignored, null, "the delivery names no work item", cancellationToken);
            return;
        }

        var gate = Items.GetOrAdd($"{tracker.Id}:{plane.WorkItem}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var client = await connections.ClientAsync(tracker, cancellationToken);
            if (client is null)
            {
                await ResolveAsync(entry, EventState.Failed, null, "the tracker's API key no longer opens (was the master key changed?)", cancellationToken);
                return;
            }

            if (plane.CommentId is not null)
            {
                await DecideAsync(entry, plane, tracker, client, cancellationToken);
            }
            else
            {
                await StartAsync(entry, plane, tracker, client, cancellationToken);
            }
        }
        catch (PlaneApiException ex) when (ex.Status is null or 429 or >= 500)
        {
            var until = time.GetUtcNow() + planning.RetryAfter;
            await trackers.Records.DeferEventAsync(entry.Id, until, $"waiting for Plane: {ex.Message}", cancellationToken);
            LogDeferred(log, entry.Id, ex.Message, until);
        }
        catch (PlaneApiException ex)
        {
            await ResolveAsync(entry, EventState.Failed, null, ex.Message, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task StartAsync(JournalEntry entry, PlaneEntry plane, TrackerRecord tracker, PlaneClient client, CancellationToken cancellationToken)
    {
        var workItem = plane.WorkItem!;
        foreach (var earlier in await trackers.Records.GetTrackerRunsAsync(tracker.Id, workItem, cancellationToken))
        {
            var run = await runs.GetRunAsync(earlier.RunId, cancellationToken);
            if (run is not null && !run.Status.HasEnded())
            {
                await ResolveAsync(entry, EventState.Ignored, null, $"run {earlier.RunId} of this work item has not ended", cancellationToken);
                return;
            }

            if ((entry.ReceivedAt - earlier.CreatedAt).Duration() < planning.Coalesce)
            {
                await ResolveAsync(entry, EventState.Ignored, null, $"coalesced with run {earlier.RunId}, started from this work item moments before", cancellationToken);
                return;
            }
        }

        if (await repositories.GetRepositoryAsync(tracker.Repository, cancellationToken) is not { } repository)
        {
            await ResolveAsync(entry, EventState.Failed, null, $"the repository {tracker.Repository} was removed", cancellationToken);
            return;
        }

        var item = await client.GetWorkItemAsync(tracker.Project, workItem, cancellationToken);
        var identifier = item.SequenceId is null ? null : await client.GetProjectIdentifierAsync(tracker.Project, cancellationToken);
        var names = item.LabelIds.Count == 0 ? new Dictionary<string, string>() : await client.GetLabelsAsync(tracker.Project, cancellationToken);
        if (tracker.BotUser is null)
        {
            await trackers.SetTrackerBotUserAsync(tracker.Id, await client.GetMeAsync(cancellationToken), cancellationToken);
        }

        var info = new WorkItemInfo(
            tracker.Id,
            plane.Event,
            item.Id,
            identifier is null ? null : $"{identifier}-{item.SequenceId}",
            item.Name,
            item.Description,
            PlaneConnections.WorkItemUrl(tracker, item.Id),
            [.. item.LabelIds.Select(id => names.TryGetValue(id, out var name) ? name : id)],
            plane.Actor);
        var trigger = new TriggerEvent(TriggerKind.Tracker, repository.Name, $"refs/heads/{repository.DefaultBranch}", null, new Dictionary<string, string>())
        {
            WorkItem = info,
        };

        var result = await starter.StartAsync(repository, trigger, new StartOptions(), cancellationToken);
        switch (result)
        {
            case StartResult.Started started:
                await trackers.Records.AddTrackerRunAsync(
                    new TrackerRun(tracker.Id, workItem, started.Run.Id, started.Run.PipelineName, time.GetUtcNow()), cancellationToken);
                await ResolveAsync(entry, EventState.Planned, started.Run.Id, started.Run.Errors.Count > 0 ? started.Run.Errors[0] : null, cancellationToken);
                await notifier.RunStartedAsync(started.Run, cancellationToken);
                break;
            case StartResult.Ignored ignored:
                await ResolveAsync(entry, EventState.Ignored, null, ignored.Reason, cancellationToken);
                break;
            case StartResult.Refused refused:
                await ResolveAsync(entry, EventState.Failed, null, refused.Reason, cancellationToken);
                break;
        }
    }

    private async Task DecideAsync(JournalEntry entry, PlaneEntry plane, TrackerRecord tracker, PlaneClient client, CancellationToken cancellationToken)
    {
        if (GateWords.Decision(plane.CommentText) is not { } approve)
        {
            await ResolveAsync(entry, EventState.Ignored, null, "a comment without :approved: or :rejected:", cancellationToken);
            return;
        }

        var members = await client.GetMembersAsync(cancellationToken);
        var email = plane.Actor is not null && members.TryGetValue(plane.Actor, out var member) ? member.Email : null;
        var person = email is null ? null
            : (await users.ListUsersAsync(cancellationToken)).FirstOrDefault(
                u => !u.Disabled && string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
        if (person is null)
        {
            LogNotAUser(log, plane.Actor ?? "?", tracker.Id);
            await ResolveAsync(entry, EventState.Ignored, null, "the comment's author is not a Cairn user (by email)", cancellationToken);
            return;
        }

        var approvals = services.GetService<IApprovalStore>();
        var decisions = services.GetService<IGateDecisions>();
        if (approvals is null || decisions is null)
        {
            await ResolveAsync(entry, EventState.Ignored, null, "this server decides no gates", cancellationToken);
            return;
        }

        var started = (await trackers.Records.GetTrackerRunsAsync(tracker.Id, plane.WorkItem!, cancellationToken)).Select(r => r.RunId).ToHashSet();
        var open = (await approvals.GetOpenGatesAsync(cancellationToken)).Where(g => started.Contains(g.RunId)).ToList();
        if (open.Count == 0)
        {
            await ResolveAsync(entry, EventState.Ignored, null, "no gate of this work item's runs is open", cancellationToken);
            return;
        }

        var outcomes = new List<string>();
        foreach (var gate in open)
        {
            var decision = await decisions.DecideAsync(
                gate.RunId, gate.JobId, person.Name, ApprovalChannel.Tracker, approve, null, plane.CommentText, cancellationToken);
            outcomes.Add(decision switch
            {
                GateDecision.Recorded recorded => $"run {gate.RunId} job {gate.JobId}: {recorded.Summary}",
                GateDecision.Refused refused => $"run {gate.RunId} job {gate.JobId}: refused: {refused.Reason}",
                _ => $"run {gate.RunId} job {gate.JobId}: not found",
            });
        }

        await ResolveAsync(entry, EventState.Planned, open[0].RunId, string.Join("; ", outcomes), cancellationToken);
    }

    private static bool Started(TrackerLoops loops)
    {
        loops.Start();
        return true;
    }

    private async Task ResolveAsync(JournalEntry entry, EventState state, long? runId, string? detail, CancellationToken cancellationToken)
    {
        await journal.ResolveEventAsync(entry.Id, state, runId, detail, cancellationToken);
        LogPlanned(log, entry.Id, state, runId, detail ?? "");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plane event {Id}: {State}, run {RunId}: {Detail}")]
    private static partial void LogPlanned(ILogger logger, long id, EventState state, long? runId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plane event {Id} waits: {Reason}; it is tried again at {Until}")]
    private static partial void LogDeferred(ILogger logger, long id, string reason, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Information, Message = "a decision by Plane member {Actor} on tracker {Tracker} is ignored: no Cairn user has their email")]
    private static partial void LogNotAUser(ILogger logger, string actor, long tracker);
}
