namespace Cairn.Testing;

/// <summary>Bounded waits on what a test's processes do: whether one still runs, and a file a script writes to say it
/// got going.</summary>
public static class Processes
{
    /// <summary>True when the process no longer runs: gone from /proc, or a zombie nobody has reaped yet.</summary>
    public static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> stops running within <paramref name="timeout"/> (10 s unless named): SIGKILL is
    /// delivered when the process is next scheduled, so on a busy machine a killed process can show as running for a
    /// moment after the kill returned.
    /// </summary>
    public static Task<bool> IsGoneSoonAsync(int pid, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        Eventually.HoldsWithinAsync(() => IsGone(pid), timeout ?? TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>Waits (bounded) until <paramref name="path"/> exists and has content: a script's signal that it got going.</summary>
    public static Task WaitForFileAsync(string path, CancellationToken cancellationToken) =>
        Eventually.TrueAsync(() => File.Exists(path) && new FileInfo(path).Length > 0, $"{path} to appear", TimeSpan.FromSeconds(20), cancellationToken);
}
