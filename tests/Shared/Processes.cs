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
    /// Waits (bounded) for <paramref name="pid"/> to stop running: SIGKILL is delivered when the process is next
    /// scheduled, so on a busy machine a killed process can show as running for a moment after the kill returned.
    /// </summary>
    public static async Task<bool> IsGoneSoonAsync(int pid, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!IsGone(pid))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return false;
            }

            await Task.Delay(20, cancellationToken);
        }

        return true;
    }

    /// <summary>Waits (bounded) until <paramref name="path"/> exists and has content: a script's signal that it got going.</summary>
    public static async Task WaitForFileAsync(string path, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (File.Exists(path) && new FileInfo(path).Length > 0)
            {
                return;
            }

            await Task.Delay(25, cancellationToken);
        }

        throw new TimeoutException($"{path} never appeared");
    }
}
