namespace Cairn.Core.Runs;

/// <summary>What a follower of runs waits on besides <see cref="IRunStore"/>'s reads: a job's log growing, and where the
/// change feed stands now.</summary>
public interface IRunFeeds
{
    /// <summary>Returns once lines with a sequence number above <paramref name="afterSequence"/> can be read from the job's
    /// log, appended by this process or (where the store can tell) another, or after <paramref name="maxWait"/>. Lines
    /// appended once this call has begun are not missed: read, then wait after the last line read. Throws
    /// <see cref="OperationCanceledException"/> when cancelled.</summary>
    Task WaitForLogAsync(long jobId, long afterSequence, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>The id of the newest change in the feed (0 when there is none): reading on from it gives only what
    /// changes from now on.</summary>
    Task<long> GetLatestChangeIdAsync(CancellationToken cancellationToken);
}
