namespace Cairn.Core.Tests;

/// <summary>The shared wait of every test project: it returns as soon as the condition holds, and otherwise fails on
/// time saying what it waited for and what it last saw.</summary>
public sealed class EventuallyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Returns_once_the_condition_holds_and_asks_no_more()
    {
        var asked = 0;

        await Eventually.TrueAsync(() => ++asked == 3, "the third look", cancellationToken: Token);

        Assert.Equal(3, asked);
    }

    [Fact]
    public async Task Returns_the_value_the_predicate_accepted()
    {
        var reads = 0;

        var value = await Eventually.ValueAsync(async () => { await Task.Yield(); return ++reads * 10; }, v => v >= 30, "thirty", cancellationToken: Token);

        Assert.Equal(30, value);
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task Fails_on_time_naming_what_it_waited_for_and_the_last_value_seen()
    {
        var reads = 0;

        var failure = await Assert.ThrowsAsync<Xunit.Sdk.FailException>(() =>
            Eventually.ValueAsync(() => new[] { "pending", $"look {++reads}" }, _ => false, "the run to end", TimeSpan.FromMilliseconds(200), cancellationToken: Token));

        Assert.Contains("for the run to end", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"last seen: [pending, look {reads}]", failure.Message, StringComparison.Ordinal);
        Assert.True(reads > 1, "it should have looked more than once before giving up");
    }

    [Fact]
    public async Task The_failure_shows_the_last_value_as_the_test_describes_it()
    {
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.FailException>(() =>
            Eventually.ValueAsync(() => 7, v => v > 7, "more than seven", TimeSpan.Zero, v => $"only {v}", Token));

        Assert.Contains("last seen: only 7", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_condition_that_throws_fails_the_wait_at_once()
    {
        var asked = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.TrueAsync(() => ++asked > 0 ? throw new InvalidOperationException("broken") : false, "a broken probe", cancellationToken: Token));

        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task A_cancelled_test_stops_waiting()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eventually.TrueAsync(() => false, "never", TimeSpan.FromMinutes(1), cancel.Token));
    }
}
