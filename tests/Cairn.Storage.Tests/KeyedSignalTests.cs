using Cairn.Storage.Signals;

namespace Cairn.Storage.Tests;

public sealed class KeyedSignalTests
{
    [Fact]
    public void Wake_WakesEveryWatcherOfTheKey_AndNoWatcherOfAnother()
    {
        var signal = new KeyedSignal();
        using var first = signal.Enter(1);
        using var second = signal.Enter(1);
        using var other = signal.Enter(2);

        signal.Wake(1);

        Assert.True(first.Woken.IsCompletedSuccessfully);
        Assert.True(second.Woken.IsCompletedSuccessfully);
        Assert.False(other.Woken.IsCompleted);
    }

    [Fact]
    public void Watcher_EnteredAfterAWake_WaitsForTheNext()
    {
        var signal = new KeyedSignal();
        using var before = signal.Enter(7);
        signal.Wake(7);

        using var after = signal.Enter(7);
        Assert.True(before.Woken.IsCompletedSuccessfully);
        Assert.False(after.Woken.IsCompleted);

        signal.Wake(7);
        Assert.True(after.Woken.IsCompletedSuccessfully);
    }

    [Fact]
    public void Wake_WithNoWatcher_IsNotKeptForALaterOne()
    {
        var signal = new KeyedSignal();
        signal.Wake(3);

        using var watcher = signal.Enter(3);
        Assert.False(watcher.Woken.IsCompleted);
    }

    [Fact]
    public void WakeAll_WakesTheWatchersOfEveryKey()
    {
        var signal = new KeyedSignal();
        using var first = signal.Enter(1);
        using var second = signal.Enter(2);

        signal.WakeAll();

        Assert.True(first.Woken.IsCompletedSuccessfully);
        Assert.True(second.Woken.IsCompletedSuccessfully);
    }

    [Fact]
    public void Watcher_ThatLeftBeforeAWake_DoesNotTakeAnotherWatchersWakeUp()
    {
        var signal = new KeyedSignal();
        var left = signal.Enter(5);
        using var staying = signal.Enter(5);
        left.Dispose();
        left.Dispose();

        signal.Wake(5);
        Assert.True(staying.Woken.IsCompletedSuccessfully);

        // The key's last watcher has gone: a new one starts on a fresh wake-up rather than the one already spent.
        staying.Dispose();
        using var next = signal.Enter(5);
        Assert.False(next.Woken.IsCompleted);
    }

    [Fact]
    public void LastWatcherLeaving_ForgetsTheKey_SoANewWatcherIsStillWoken()
    {
        var signal = new KeyedSignal();
        signal.Enter(9).Dispose();

        using var watcher = signal.Enter(9);
        signal.Wake(9);

        Assert.True(watcher.Woken.IsCompletedSuccessfully);
    }
}
