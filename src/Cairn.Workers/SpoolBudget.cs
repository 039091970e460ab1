namespace Cairn.Workers;

/// <summary>What all spools of one worker process may hold: in memory, then on disk.</summary>
public sealed class SpoolBudget(long memoryBytes = SpoolBudget.DefaultMemoryBytes, long diskBytes = SpoolBudget.DefaultDiskBytes)
{
    public const long DefaultMemoryBytes = 16L << 20;
    public const long DefaultDiskBytes = 1L << 30;

    private long _memory;
    private long _disk;

    public bool TryTakeMemory(long bytes) => TryTake(ref _memory, memoryBytes, bytes);

    public void ReleaseMemory(long bytes) => Interlocked.Add(ref _memory, -bytes);

    public bool TryTakeDisk(long bytes) => TryTake(ref _disk, diskBytes, bytes);

    public void ReleaseDisk(long bytes) => Interlocked.Add(ref _disk, -bytes);

    private static bool TryTake(ref long used, long limit, long bytes)
    {
        while (true)
        {
            var now = Volatile.Read(ref used);
            if (now + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref used, now + bytes, now) == now)
            {
                return true;
            }
        }
    }
}
