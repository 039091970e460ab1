using Cairn.Core.Engine;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

public sealed class RetryPolicyTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(10);

    [Fact]
    public void WithoutARule_InfraIsRetriedOnce_WithBackoffAndAtMostAFifthOfJitter()
    {
        var policy = new RetryPolicy(new Random(3), Base);

        var first = policy.NextDelay(null, FailureClass.Infra, attempt: 1);

        Assert.NotNull(first);
        Assert.InRange(first.Value, Base, Base * 1.2);
        Assert.Null(policy.NextDelay(null, FailureClass.Infra, attempt: 2));
    }

    [Theory]
    [InlineData(FailureClass.Script)]
    [InlineData(FailureClass.Test)]
    [InlineData(FailureClass.Timeout)]
    [InlineData(FailureClass.Config)]
    [InlineData(FailureClass.Cancelled)]
    public void WithoutARule_OnlyInfraIsRetried(FailureClass failureClass) =>
        Assert.Null(new RetryPolicy(new Random(3), Base).NextDelay(null, failureClass, attempt: 1));

    [Fact]
    public void Rule_DoublesTheBackoffEachAttempt_UpToMax()
    {
        var policy = new RetryPolicy(new Random(5), Base);
        var rule = new RetryJson(3, ["timeout"], 1000);

        var delays = Enumerable.Range(1, 4).Select(a => policy.NextDelay(rule, FailureClass.Timeout, a)).ToList();

        Assert.InRange(delays[0]!.Value.TotalMilliseconds, 1000, 1200);
        Assert.InRange(delays[1]!.Value.TotalMilliseconds, 2000, 2400);
        Assert.InRange(delays[2]!.Value.TotalMilliseconds, 4000, 4800);
        Assert.Null(delays[3]);
    }

    [Fact]
    public void Backoff_IsCappedAtTenMinutes()
    {
        var delay = new RetryPolicy(new Random(5), Base).NextDelay(new RetryJson(10, ["infra"], 60_000), FailureClass.Infra, 10);

        Assert.Equal(TimeSpan.FromMinutes(10), delay);
    }

    [Theory]
    [InlineData(FailureClass.Test, true)]
    [InlineData(FailureClass.Build, true)]
    [InlineData(FailureClass.Lint, true)]
    [InlineData(FailureClass.Infra, false)]
    [InlineData(FailureClass.Config, false)]
    public void RuleOnScript_AlsoCoversTheKindsOfScriptFailure(FailureClass failureClass, bool retried)
    {
        var delay = new RetryPolicy(new Random(5), Base).NextDelay(new RetryJson(1, ["script"], null), failureClass, 1);

        Assert.Equal(retried, delay is not null);
    }

    [Fact]
    public void RuleOnTest_DoesNotRetryAPlainScriptFailure()
    {
        var policy = new RetryPolicy(new Random(5), Base);
        var rule = new RetryJson(2, ["test"], null);

        Assert.NotNull(policy.NextDelay(rule, FailureClass.Test, 1));
        Assert.Null(policy.NextDelay(rule, FailureClass.Script, 1));
    }
}
