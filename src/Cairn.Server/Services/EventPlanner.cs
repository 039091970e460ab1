using System.Text.Json;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Triggers;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>Plans journaled events after their sender was answered: claims pending entries (any replica may; a claim
/// that is not resolved expires and the entry is planned again), starts their runs and resolves them.</summary>
internal sealed partial class EventPlanner(
    IEventJournal journal, IRepositoryStore repositories, RunStarter starter, Trackers.PlanePlanner plane, PlanningSignal signal,
    Gates.ReviewApprovals reviews, TimeProvider time, ILogger<EventPlanner> log)
    : LoopingService("planning", Poll, time, log)
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>How many entries are planned at once.</summary>
    internal const int InFlight = 8;

    private readonly string claimant = $"{Environment.MachineName}-{Environment.ProcessId}-planner";

    // Plans under way. Entries are claimed as plans end, not in rounds of eight: a slow plan (the first fetch of a
    // repository) holds up no other, and a burst's deliveries start planning as soon as there is room.
    private readonly List<Task> planning = [];

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ClaimAndWaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The plans under way see the stop too; the server stops once they have.
            await Task.WhenAll(planning).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
    }

    private async Task ClaimAndWaitAsync(CancellationToken stoppingToken)
    {
        // A plan that failed (the store was unreachable, say) fails the round as it always did: the loop logs it and
        // pauses; its entry's claim expires and it is planned again.
        var ended = planning.Where(t => t.IsCompleted).ToList();
        planning.RemoveAll(t => t.IsCompleted);
        if (ended.FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            await failed;
        }

        if (planning.Count < InFlight)
        {
            var room = InFlight - planning.Count;
            var entries = await journal.ClaimPendingEventsAsync(claimant, Time.GetUtcNow(), ClaimFor, room, stoppingToken);
            planning.AddRange(entries.Select(e => Task.Run(() => PlanAsync(e, stoppingToken), stoppingToken)));
            if (entries.Count == room)
            {
                // There may be more pending: claimed as soon as a plan ends.
                return;
            }

            if (planning.Count == 0)
            {
                await signal.WaitAsync(Poll, Time, stoppingToken);
                return;
            }
        }

        await WaitAsync(wakeable: planning.Count < InFlight, stoppingToken);
    }

    /// <summary>Until a plan ends, or (when there is room for more) a delivery is journaled here, or the poll.</summary>
    private async Task WaitAsync(bool wakeable, CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var other = wakeable ? signal.WaitAsync(Poll, Time, waiting.Token) : Task.Delay(Poll, Time, waiting.Token);
        await Task.WhenAny(Task.WhenAny(planning), other);
        await waiting.CancelAsync();
        await other.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>Plans one entry to its end: planned with its run, ignored with why, or failed with why.</summary>
    public async Task PlanAsync(JournalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Source == Trackers.PlaneEntry.Source)
        {
            // A tracker's delivery: the work item is fetched from the tracker and the run started from it (or a gate decided).
            await plane.PlanAsync(entry, cancellationToken);
            return;
        }

        var repository = await repositories.GetRepositoryAsync(entry.Repository, cancellationToken);
        if (repository is null)
        {
            await journal.ResolveEventAsync(entry.Id, EventState.Failed, null, $"the repository {entry.Repository} was removed", cancellationToken);
            return;
        }

        TriggerEvent trigger;
        try
        {
            trigger = TriggerEventJson.Deserialize(entry.Trigger);
        }
        catch (JsonException ex)
        {
            await journal.ResolveEventAsync(entry.Id, EventState.Failed, null, $"the journaled trigger cannot be read: {ex.Message}", cancellationToken);
            return;
        }

        // A review approving a pull request approves the open gates of its runs first; then, like every trigger, it starts
        // the pipelines that ask for it (on.pull_request_review).
        await reviews.ApproveGatesAsync(trigger, cancellationToken);
        var result = await starter.StartAsync(repository, trigger, new StartOptions { TraceParent = entry.TraceParent }, cancellationToken);
        var (state, runId, detail) = result switch
        {
            StartResult.Started s => (EventState.Planned, (long?)s.Run.Id, s.Run.Errors.Count > 0 ? s.Run.Errors[0] : null),
            StartResult.Ignored i => (EventState.Ignored, null, i.Reason),
            StartResult.Refused r => (EventState.Failed, null, r.Reason),
            _ => (EventState.Failed, null, "not understood"),
        };
        await journal.ResolveEventAsync(entry.Id, state, runId, detail, cancellationToken);
        using var scope = runId is null ? null : log.BeginScope(RunStarter.LogScope(runId.Value));
        LogPlanned(log, entry.Id, entry.Repository, state, runId, detail ?? "");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "event {Id} of {Repository}: {State}, run {RunId}: {Detail}")]
    private static partial void LogPlanned(ILogger logger, long id, string repository, EventState state, long? runId, string detail);

}
