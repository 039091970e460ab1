using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Tests.Output;

/// <summary>The lines <c>cairn show</c> prints of a gate, and its token counts.</summary>
public sealed class AgentLinesTests
{
    private static readonly DateTimeOffset At = new(2031, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_gate_says_its_approvers_approvals_commit_and_each_decision()
    {
        var gate = new GateView(["team:leads", "alice"], 2, 1, "0123456789abcdef", At, null,
            [new GateDecisionItemView("alice", "dashboard", true, "0123456789abcdef", null, At), new GateDecisionItemView("bob", "cli", false, "0123456789abcdef", "not yet\nsee the thread", At)]);
        var run = new RunView(7, 3, "acme/app", "ci", "manual", "main", "0123456", "running", null, null, At, At, null, null, false,
            [new JobView(71, "approve", "waiting", 1, null, null, null, null, null, []) { Gate = gate }]);

        var lines = AgentLines.Of(run).Split('\n');

        Assert.Equal(["", "", "approve:", "  gate: approvers team:leads, alice · 1 of 2 approvals · commit 0123456", "    approved by alice (dashboard)", "    rejected by bob (cli): not yet"], lines);
    }

    [Theory]
    [InlineData(999L, "999")]
    [InlineData(1_500L, "1.5k")]
    [InlineData(48_000L, "48k")]
    [InlineData(1_200_000L, "1.2M")]
    [InlineData(null, "-")]
    public void Token_counts_are_short(long? count, string expected) => Assert.Equal(expected, AgentLines.Tokens(count));
}
