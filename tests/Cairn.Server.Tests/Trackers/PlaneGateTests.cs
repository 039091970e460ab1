using Cairn.Core.Access;
using Cairn.Core.Events;
using Cairn.Core.Gates;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Server.Services;
using Cairn.Server.Trackers;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests.Trackers;

/// <summary>A comment holding <c>:approved:</c> or <c>:rejected:</c> decides the open gates of the runs its work item
/// started, as the Cairn user whose email the comment's author has in Plane, through <see cref="IGateDecisions"/>
/// (recorded here; the gates' own tests decide for real).</summary>
public sealed class PlaneGateTests
{
    [Fact]
    public async Task An_approval_by_a_member_who_is_a_Cairn_user_decides_the_work_items_open_gates_and_no_others()
    {
        await using var h = await PlaneHarness.StartAsync();
        var services = h.Server.Services;
        var store = services.GetRequiredService<ICairnStore>();
        var now = DateTimeOffset.UtcNow;
        await store.CreateUserAsync(new NewUser("ann", "Ann@Example.test", null, UserSource.Local, now), CancellationToken.None);
        h.Plane.Members["member-ann"] = ("ann@example.test", "Ann");
        h.Plane.Members["member-bob"] = ("bob@example.test", "Bob");
        await store.AddTrackerRunAsync(new TrackerRun(h.Tracker.Id, "item-1", 42, "ci", now), CancellationToken.None);
        var approvals = new OpenGates(
            new GateRecord(7, 42, PlaneHarness.Repository, ["ann"], 1, "abc", null, now, null),
            new GateRecord(8, 43, PlaneHarness.Repository, ["ann"], 1, "abc", null, now, null));
        var decisions = new RecordingDecisions();
        var planner = Planner(services, approvals, decisions);

        var approved = await PlanAsync(store, planner, h.Tracker.Id, "item-1", "member-ann", "Ship it :approved:");
        var byStranger = await PlanAsync(store, planner, h.Tracker.Id, "item-1", "member-bob", ":approved:");
        var rejected = await PlanAsync(store, planner, h.Tracker.Id, "item-1", "member-ann", "no :rejected:");
        var otherItem = await PlanAsync(store, planner, h.Tracker.Id, "item-2", "member-ann", ":approved:");

        Assert.Equal(EventState.Planned, approved.State);
        Assert.Equal(42, approved.RunId);
        Assert.Equal(EventState.Ignored, byStranger.State);
        Assert.Equal(EventState.Planned, rejected.State);
        Assert.Equal(EventState.Ignored, otherItem.State);
        Assert.Equal(
            [(42L, 7L, "ann", ApprovalChannel.Tracker, true), (42L, 7L, "ann", ApprovalChannel.Tracker, false)],
            decisions.Calls.Select(c => (c.RunId, c.JobId, c.Person, c.Channel, c.Approve)));
    }

    private static PlanePlanner Planner(IServiceProvider services, IApprovalStore approvals, IGateDecisions decisions) => new(
        services.GetRequiredService<SealedTrackerStore>(),
        services.GetRequiredService<PlaneConnections>(),
        services.GetRequiredService<IRepositoryStore>(),
        services.GetRequiredService<IRunStore>(),
        services.GetRequiredService<IUserStore>(),
        services.GetRequiredService<IEventJournal>(),
        services.GetRequiredService<RunStarter>(),
        NoWorkItemNotifier.Instance,
        PlanePlanning.Default,
        services.GetRequiredService<TrackerLoops>(),
        new ServiceCollection().AddSingleton(approvals).AddSingleton(decisions).BuildServiceProvider(),
        TimeProvider.System,
        NullLogger<PlanePlanner>.Instance);

    private static async Task<JournalEntry> PlanAsync(ICairnStore store, PlanePlanner planner, long tracker, string item, string actor, string text)
    {
        var entry = new PlaneEntry(tracker, "workitem.comment.created", item, null, null, [], actor, Guid.NewGuid().ToString(), text);
        var journaled = await store.AppendEventAsync(
            new NewJournalEntry(PlaneEntry.Source, Guid.NewGuid().ToString(), PlaneHarness.Repository, entry.Event, entry.ToJson(), DateTimeOffset.UtcNow),
            CancellationToken.None);
        await planner.PlanAsync(journaled.Entry, CancellationToken.None);
        return (await store.GetEventAsync(journaled.Entry.Id, CancellationToken.None))!;
    }

    private sealed class RecordingDecisions : IGateDecisions
    {
        public List<(long RunId, long JobId, string Person, ApprovalChannel Channel, bool Approve)> Calls { get; } = [];

        public Task<GateDecision> DecideAsync(
            long runId, long jobId, string person, ApprovalChannel channel, bool approve, string? sha, string? comment, CancellationToken cancellationToken)
        {
            Calls.Add((runId, jobId, person, channel, approve));
            return Task.FromResult<GateDecision>(new GateDecision.Recorded(
                new ApprovalRecord(Calls.Count, runId, jobId, person, channel, approve, sha, comment, DateTimeOffset.UtcNow), true, "decided"));
        }
    }

    private sealed class OpenGates(params GateRecord[] gates) : IApprovalStore
    {
        public Task<IReadOnlyList<GateRecord>> GetOpenGatesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<GateRecord>>(gates);

        public Task<bool> OpenGateAsync(GateRecord gate, string pendingReason, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GateRecord?> GetGateAsync(long jobId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApprovalRecord> AddApprovalAsync(NewApproval approval, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApprovalRecord>> GetApprovalsAsync(long runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetGateReasonAsync(long jobId, string pendingReason, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
