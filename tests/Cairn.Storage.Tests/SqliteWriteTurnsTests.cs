using Cairn.Storage.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The turn at writing of one SQLite process: first come first served, except that an urgent writer goes before
/// every ordinary one waiting; a cancelled wait neither takes the turn nor loses it.</summary>
public sealed class SqliteWriteTurnsTests
{
    [Fact]
    public async Task TheTurn_GoesToUrgentWritersFirst_ThenInOrderOfArrival()
    {
        var turns = new SqliteWriteTurns();
        var order = new List<string>();
        var holder = await turns.TakeAsync(urgent: false, Token);
        var waiting = new List<Task>
        {
            TakeAndRecordAsync(turns, "ordinary 1", urgent: false, order),
            TakeAndRecordAsync(turns, "ordinary 2", urgent: false, order),
            TakeAndRecordAsync(turns, "urgent 1", urgent: true, order),
            TakeAndRecordAsync(turns, "ordinary 3", urgent: false, order),
            TakeAndRecordAsync(turns, "urgent 2", urgent: true, order),
        };
        Assert.All(waiting, task => Assert.False(task.IsCompleted));

        holder.Dispose();
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.Equal(["urgent 1", "urgent 2", "ordinary 1", "ordinary 2", "ordinary 3"], order);
    }

    [Fact]
    public async Task ACancelledWait_Throws_AndTheTurnPassesToTheNextWriter()
    {
        var turns = new SqliteWriteTurns();
        var holder = await turns.TakeAsync(urgent: false, Token);
        using var cancel = new CancellationTokenSource();
        var cancelled = turns.TakeAsync(urgent: true, cancel.Token);
        var next = turns.TakeAsync(urgent: false, Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(next.IsCompleted);
        holder.Dispose();

        using (await next.WaitAsync(TimeSpan.FromSeconds(30), Token))
        {
            Assert.False(turns.TakeAsync(urgent: true, Token).IsCompleted);
        }
    }

    [Fact]
    public async Task AFreeTurn_IsTakenAtOnce_AndOnlyOnce()
    {
        var turns = new SqliteWriteTurns();

        var first = turns.TakeAsync(urgent: false, Token);
        var second = turns.TakeAsync(urgent: true, Token);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        (await first).Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(30), Token)).Dispose();
        (await turns.TakeAsync(urgent: false, Token).WaitAsync(TimeSpan.FromSeconds(30), Token)).Dispose();
    }

    private static async Task TakeAndRecordAsync(SqliteWriteTurns turns, string name, bool urgent, List<string> order)
    {
        using var turn = await turns.TakeAsync(urgent, Token);
        order.Add(name);
    }
}
