using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What must hold of a database written under the first schema once a newer cairn has opened it: the rows the
/// migration tests insert (runs 1 and 3 of acme/widgets, run 2 of acme/gadgets; run 3's job 2 queued) are all there, and
/// the new code works on them.</summary>
internal static class FirstSchemaChecks
{
    public static async Task AssertKeptAsync(StoreScope scope)
    {
        var store = scope.Store;
        var first = (await store.GetRunAsync(1, Token))!;
        var gadgets = (await store.GetRunAsync(2, Token))!;
        var third = (await store.GetRunAsync(3, Token))!;

        Assert.Equal(
            (1L, RunStatus.Succeeded, "delivery-1", DateTimeOffset.FromUnixTimeMilliseconds(1500), DateTimeOffset.FromUnixTimeMilliseconds(5000)),
            (first.Number, first.Status, first.IdempotencyKey, first.StartedAt, first.FinishedAt));
        Assert.Equal(
            (TriggerKind.Push, "acme/widgets", "refs/heads/main", "aaa", "delivery-1"),
            (first.Trigger!.Kind, first.Trigger.Repository, first.Trigger.Ref, first.Trigger.Sha, first.Trigger.IdempotencyKey));
        Assert.Equal((1L, TriggerKind.Manual, "2", (DateTimeOffset?)null), (gadgets.Number, gadgets.Trigger!.Kind, gadgets.Trigger.Inputs["level"], gadgets.StartedAt));
        Assert.Equal((2L, false, (FailureClass?)null), (third.Number, third.CancelRequested, third.FailureClass));
        Assert.Empty(third.Errors);

        var jobs = await store.GetJobsAsync(3, Token);
        Assert.Equal([("build", JobStatus.Queued), ("test", JobStatus.Waiting)], jobs.Select(j => (j.Name, j.Status)));
        Assert.Equal(["build"], jobs[1].Needs);

        // The old rows work with the new code: the queued job is leased and the feed has it; numbering goes on.
        var lease = await store.TryLeaseAsync("worker-1", [], Token);
        Assert.Equal(jobs[0].Id, lease!.JobId);
        var change = Assert.Single(await store.ReadChangesAsync(0, null, 10, Token));
        Assert.Equal((3L, jobs[0].Id, "running"), (change.RunId, change.JobId, change.Status));
        Assert.Equal(scope.Time.GetUtcNow(), (await store.GetRunAsync(3, Token))!.StartedAt);
        Assert.Equal(3, (await store.CreateRunAsync(PlanIn("acme/widgets"), Token)).Number);
        Assert.Equal(2, (await store.CreateRunAsync(PlanIn("ACME/gadgets"), Token)).Number);
        Assert.Equal([4L, 3L, 1L], (await store.ListRunsAsync(new RunQuery(Repository: "acme/widgets"), Token)).Select(r => r.Id));
    }

    private static RunPlan PlanIn(string repository) =>
        new("build", new TriggerEvent(TriggerKind.Push, repository, "refs/heads/main", "ddd", new Dictionary<string, string>()), [Job("build")]);
}
