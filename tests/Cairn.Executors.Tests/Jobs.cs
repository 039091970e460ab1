using System.Globalization;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Executors.Tests;

/// <summary>Short ways to write the jobs and steps the tests run.</summary>
internal static class Jobs
{
    public static StepSpec Step(
        int index,
        string run,
        string? name = null,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null,
        string? condition = null) =>
        new(index, name ?? $"step{index}", run, env ?? new Dictionary<string, string>(), timeout, condition);

    public static JobSpec Job(
        string workspace,
        IReadOnlyList<StepSpec> steps,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null,
        string? image = null) =>
        new(1, 1, "build", 1, workspace, image, null, env ?? new Dictionary<string, string>(), steps, timeout, ExpressionContext.Empty);

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

    public static IReadOnlyList<int> ReadPids(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Trim().Length > 0)
            .Select(line => int.Parse(line.Trim(), CultureInfo.InvariantCulture))
            .ToList();

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
