using Cairn.Storage.Signals;

namespace Cairn.Storage.Portable;

/// <summary>Waits for a job's log to grow, alike for both dialects: woken by the store's appends (and, on PostgreSQL, by
/// other instances' through the listener), it looks at the log's last sequence number before every wait.</summary>
internal sealed class LogFeed(RunRecords records, KeyedSignal signal, TimeProvider time)
{
    public async Task WaitForLogAsync(long jobId, long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(maxWait > TimeSpan.Zero ? maxWait : TimeSpan.Zero, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            while (true)
            {
                // Entered before looking, so that lines appended after the look still end the wait.
                using var follower = signal.Enter(jobId);
                if (await records.GetLastLogSequenceAsync(jobId, cancellationToken) > afterSequence)
                {
                    return;
                }

                await follower.Woken.WaitAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // maxWait passed with nothing new.
        }
    }
}
