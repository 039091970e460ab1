using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Core.Triggers;
using Cairn.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Trackers;

/// <summary>The server's <see cref="IWorkItemNotifier"/>: a gate that waits and a pull request that was opened reach the
/// work item as comments with their own external ids, once however often told; runs of other triggers tell nobody.</summary>
public sealed class PlaneNotifierTests
{
    [Fact]
    public async Task A_waiting_gate_and_an_opened_pull_request_are_commented_once_and_other_runs_are_passed_over()
    {
        await using var h = await PlaneHarness.StartAsync();
        h.Plane.WorkItems["item-1"] = ("x", null, []);
        var notifier = h.Server.Services.GetRequiredService<IWorkItemNotifier>();
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord(77, "ci", "plane", "refs/heads/main", "abc", PlaneHarness.Repository, RunStatus.Running, now, null, null)
        {
            Number = 3,
            Trigger = new TriggerEvent(TriggerKind.Tracker, PlaneHarness.Repository, "refs/heads/main", "abc", new Dictionary<string, string>())
            {
                WorkItem = new WorkItemInfo(h.Tracker.Id, "workitem.created", "item-1", null, "x", null, null, []),
            },
        };
        var gate = new GateRecord(5, 77, PlaneHarness.Repository, ["ann"], 1, "abc", null, now, null);
        var pullRequest = new PullRequestRecord(77, 6, PlaneHarness.Repository, "cairn/x", 12, "https://forge.example.test/octo/app/pull/12", "def", true, null, null, now);

        await notifier.GateWaitingAsync(run, gate, CancellationToken.None);
        await notifier.GateWaitingAsync(run, gate, CancellationToken.None);
        await notifier.PullRequestOpenedAsync(run, pullRequest, CancellationToken.None);
        await notifier.RunStartedAsync(run with { Id = 78, Trigger = run.Trigger! with { WorkItem = null } }, CancellationToken.None);

        await Eventually.TrueAsync(
            () => h.Plane.Comments.ContainsKey("cairn-run-77-gate-5") && h.Plane.Comments.ContainsKey("cairn-run-77-pr-12"),
            "the gate's and the pull request's comments to be posted");
        Assert.Contains(":approved:", h.Plane.Comments["cairn-run-77-gate-5"].Html, StringComparison.Ordinal);
        Assert.Contains("https://forge.example.test/octo/app/pull/12", h.Plane.Comments["cairn-run-77-pr-12"].Html, StringComparison.Ordinal);
        Assert.Contains($"{ServerHarness.PublicUrl}runs/77", h.Plane.Comments["cairn-run-77-pr-12"].Html, StringComparison.Ordinal);
        Assert.Equal(2, h.Plane.Comments.Count);
        Assert.Equal(1, h.Plane.Requests.Count(r => r.Method == "POST" && r.Body.Contains("cairn-run-77-gate-5", StringComparison.Ordinal)));
    }
}
