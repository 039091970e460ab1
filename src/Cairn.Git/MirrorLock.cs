using System.Collections.Concurrent;
using Cairn.Core.Pipelines;

namespace Cairn.Git;

/// <summary>One writer at a time per mirror: a semaphore for this process, and an exclusive <c>flock</c> on a lock
/// file for other processes sharing the data directory. The kernel drops a dead process's lock, so a crash never
/// leaves a mirror locked.</summary>
internal static class MirrorLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the lock on <paramref name="lockFile"/>; dispose the result to release it.</summary>
    /// <exception cref="GitException">The lock was not free within <paramref name="timeout"/>.</exception>
    public static async Task<IDisposable> AcquireAsync(string lockFile, string what, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var gate = Gates.GetOrAdd(lockFile, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(timeout, cancellationToken))
        {
            throw TimedOut(what, timeout);
        }

        try
        {
            while (true)
            {
                if (TryLock(lockFile) is { } held)
                {
                    return new Held(gate, held);
                }

                if (time.GetUtcNow() >= deadline)
                {
                    throw TimedOut(what, timeout);
                }

                await Task.Delay(Poll, time, cancellationToken);
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>The lock file opened exclusively (.NET takes <c>flock(LOCK_EX|LOCK_NB)</c> for <see cref="FileShare.None"/>),
    /// or null when another process holds it.</summary>
    internal static FileStream? TryLock(string lockFile)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // Lives in the data directory, whose files are the server's alone.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            return new FileStream(lockFile, options);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
        {
            return null;
        }
    }

    private static GitException TimedOut(string what, TimeSpan timeout) =>
        new($"waited {Duration.Format(timeout)} for {what} to be free (another fetch or checkout of it is still running)");

    private sealed class Held(SemaphoreSlim gate, FileStream file) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                file.Dispose();
                gate.Release();
            }
        }
    }
}
