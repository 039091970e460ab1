using System.Diagnostics;
using Cairn.Core.Events;
using Cairn.Core.Runs;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>A run's trace context (migration 23): written with the run from the span current when it is created, read
/// back with the run, handed out on every lease of its jobs with when the job was queued; and a journaled delivery's.</summary>
public abstract partial class StoreContract
{
    private static readonly ActivitySource TraceSource = new("Cairn.Storage.Tests.Traces");

    private static readonly ActivityListener TraceListener = Listen();

    [Fact]
    public async Task A_run_keeps_the_trace_context_of_the_span_it_was_created_in_and_its_leases_carry_it()
    {
        await using var scope = await OpenAsync();
        Assert.NotNull(TraceListener);
        RunRecord run;
        string expected;
        using (var root = TraceSource.StartActivity("run.start"))
        using (TraceSource.StartActivity("pipeline.plan"))
        {
            Assert.NotNull(root);
            expected = root.Id!;
            run = await scope.CreateRunAsync(Job("build"));
        }

        var untraced = await scope.CreateRunAsync(Job("other"));
        var job = (await scope.Store.GetJobsAsync(run.Id, Token))[0];
        scope.Time.Advance(TimeSpan.FromSeconds(5));
        var queuedAt = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.TryTransitionJobAsync(job.Id, JobStatus.Waiting, JobStatus.Queued, JobTransition.Now(scope.Time), Token));
        scope.Time.Advance(TimeSpan.FromSeconds(7));

        var lease = await scope.Store.TryLeaseAsync("w1/abc/1", [], Token);

        Assert.Equal(expected, run.TraceParent);
        Assert.Equal(expected, (await scope.Store.GetRunAsync(run.Id, Token))!.TraceParent);
        Assert.Null((await scope.Store.GetRunAsync(untraced.Id, Token))!.TraceParent);
        Assert.Equal(expected, (await scope.Store.ListRunsAsync(new RunQuery(), Token)).Single(r => r.Id == run.Id).TraceParent);
        Assert.Equal((job.Id, expected, RecordRowsTruncate(queuedAt)), (lease!.JobId, lease.TraceParent, lease.QueuedAt));
    }

    [Fact]
    public async Task A_journaled_delivery_keeps_the_trace_context_it_was_received_in()
    {
        await using var scope = await OpenAsync();
        const string Parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var entry = new NewJournalEntry("github", "d-trace", "acme/widgets", "push", "{}", scope.Time.GetUtcNow()) { TraceParent = Parent };

        var appended = await scope.Store.AppendEventAsync(entry, Token);
        var plain = await scope.Store.AppendEventAsync(new NewJournalEntry("github", "d-plain", "acme/widgets", "push", "{}", scope.Time.GetUtcNow()), Token);
        var claimed = await scope.Store.ClaimPendingEventsAsync("planner", scope.Time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Token);

        Assert.Equal(Parent, appended.Entry.TraceParent);
        Assert.Equal(Parent, (await scope.Store.GetEventAsync(appended.Entry.Id, Token))!.TraceParent);
        Assert.Equal([Parent, null], claimed.Select(e => e.TraceParent));
        Assert.Null(plain.Entry.TraceParent);
    }

    private static DateTimeOffset RecordRowsTruncate(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source == TraceSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
