using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Tests.Output;

/// <summary>What <c>cairn show</c> and <c>cairn runs</c> print of a run held in its concurrency group.</summary>
public sealed class HeldRunViewTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);

    private const string Reason = "waiting behind run #41 in concurrency group 'deploy'";

    private static RunView Held() => new(
        12, 42, "octo/app", "deploy", "manual", "refs/heads/main", "abc1234", "waiting", null, [], Now, null, null, null, false,
        [new JobView(5, "deploy", "waiting", 0, null, null, null, null, null, [], new PendingReasonView("concurrency", Reason))],
        PendingReason: Reason,
        WaitingBehind: 11);

    [Fact]
    public void Show_PrintsWhyTheRunAndEachJobWait_AndNoApprovalHint()
    {
        var text = ServerViews.Run(Held(), Now, color: false);

        Assert.Contains("waiting".PadRight(12) + Reason, text, StringComparison.Ordinal);
        Assert.Contains("it starts when run id 11 and the older runs of its group have ended", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split(Reason).Length - 1);
        Assert.DoesNotContain("cairn approve", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsList_SaysTheRunIsHeld_WithoutOfferingApproval()
    {
        Assert.Equal($"run id 12 is {Reason}", ServerViews.Waiting(Held()));
        Assert.Contains("cairn approve 12", ServerViews.Waiting(Held() with { WaitingBehind = null }), StringComparison.Ordinal);
    }
}
