using System.Globalization;
using Cairn.Core.Runs;
using Cairn.Storage.Tests;

namespace Cairn.EndToEnd.Tests;

/// <summary>Real <c>cairn worker</c> processes on one store, one of them killed with SIGKILL in the middle of a job.</summary>
public sealed class WorkerCrashTests
{
    private static readonly string[] FastLeases = ["--concurrency", "1", "--lease", "2s", "--heartbeat", "500ms", "--reap-interval", "500ms"];

    [Fact]
    public async Task KilledWorker_OnSqlite_JobIsReclaimedAfterItsLeaseExpires_AndCompletesOnAnother_AndItsStepsAreGone()
    {
        await using var fleet = await WorkerFleet.CreateAsync();
        await KillAndReclaimAsync(fleet);
    }

    [PostgresFact]
    public async Task KilledWorker_OnPostgres_JobIsReclaimedAfterItsLeaseExpires_AndCompletesOnAnother_AndItsStepsAreGone()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var fleet = await WorkerFleet.CreateAsync(database.ConnectionString);
        await KillAndReclaimAsync(fleet);
    }

    [Fact]
    public async Task WorkerKilledWithItsSentinel_LeavesSteps_ThatTheNextWorkerSweepsAtStart()
    {
        await using var fleet = await WorkerFleet.CreateAsync();
        var pids = fleet.Directory.Combine("step-pids");
        await fleet.QueueAsync($$"""
            jobs:
              slow:
                steps:
                  - run: |
                      sleep 300 &
                      echo "$! $$" > {{pids}}
                      wait
            """);
        // Owner records live under TMPDIR: a directory of this test's own, so that no other cairn started by the tests
        // running beside it sweeps these steps before the worker under test does.
        var isolated = new Dictionary<string, string?> { ["TMPDIR"] = Directory.CreateDirectory(fleet.Directory.Combine("tmp")).FullName };
        var doomed = fleet.StartWorker(isolated, FastLeases);
        var started = await WaitForPidsAsync(pids);

        // Both at once, as the OOM killer or a machine-wide kill would: nothing is left to take the steps down.
        var sentinel = SentinelOf(doomed.Id);
        Assert.True(sentinel is not null, "the worker has no step sentinel");
        Assert.Equal(0, kill(sentinel!.Value, 9));
        await fleet.KillAsync(doomed);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.All(started, pid => Assert.False(Processes.IsGone(pid), $"step process {pid} died without a sentinel; the test proves nothing"));

        fleet.StartWorker(isolated, FastLeases);

        await WaitUntilGoneAsync(started);
        Assert.All(started, pid => Assert.True(Processes.IsGone(pid), $"step process {pid} survived the next worker's start"));
        await fleet.StopAllAsync();
    }

    /// <summary>The step sentinel a worker started: its child whose command line names it.</summary>
    private static int? SentinelOf(int workerPid)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (parent == workerPid && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains("cairn-step-sentinel", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
        }

        return null;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static async Task KillAndReclaimAsync(WorkerFleet fleet)
    {
        var pids = fleet.Directory.Combine("step-pids");
        var run = await fleet.QueueAsync($$"""
            jobs:
              slow:
                retry: { max: 1, on: [infra], backoff: 1s }
                steps:
                  - name: work
                    run: |
                      echo "attempt $CAIRN_ATTEMPT started"
                      if [ "$CAIRN_ATTEMPT" = 1 ]; then
                        sleep 300 &
                        echo "$! $$" > {{pids}}
                        wait
                      fi
                      echo "attempt $CAIRN_ATTEMPT finished"
            """);
        var doomed = fleet.StartWorker(FastLeases);
        var started = await WaitForPidsAsync(pids);
        // Lines reach the store in batches off the step's path; kill only once the first attempt's line is stored,
        // so the log can show both attempts.
        await WaitForLogLineAsync(fleet, run.Id, "attempt 1 started");
        fleet.StartWorker(FastLeases);

        await fleet.KillAsync(doomed);
        var ended = await fleet.WaitForRunsAsync([run.Id], TimeSpan.FromSeconds(90));

        Assert.Equal(RunStatus.Succeeded, ended[0].Status);
        var job = (await fleet.Store.GetJobsAsync(run.Id, CancellationToken.None)).Single();
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.Equal(2, job.Attempt);
        var log = (await fleet.Store.ReadLogAsync(job.Id, 0, 1000, CancellationToken.None)).Select(l => l.Text).ToList();
        Assert.Contains("attempt 1 started", log);
        Assert.DoesNotContain("attempt 1 finished", log);
        Assert.Contains("attempt 2 started", log);
        Assert.Contains("attempt 2 finished", log);
        Assert.Single(log, l => l.Contains("was lost: its lease expired at", StringComparison.Ordinal));
        Assert.Single(log, l => l.Contains("this is attempt 2 of the job", StringComparison.Ordinal));
        Assert.True(log.IndexOf("attempt 1 started") < log.IndexOf("attempt 2 started"), string.Join('\n', log));

        await WaitUntilGoneAsync(started);
        Assert.All(started, pid => Assert.True(Processes.IsGone(pid), $"step process {pid} outlived its killed worker"));
        await fleet.StopAllAsync();
    }

    private static Task WaitForLogLineAsync(WorkerFleet fleet, long runId, string text) =>
        Eventually.TrueAsync(
            async () =>
            {
                var job = (await fleet.Store.GetJobsAsync(runId, CancellationToken.None)).Single();
                var log = await fleet.Store.ReadLogAsync(job.Id, 0, 1000, CancellationToken.None);
                return log.Any(l => l.Text == text);
            },
            $"the log to show '{text}'",
            TimeSpan.FromSeconds(60));

    private static async Task<IReadOnlyList<int>> WaitForPidsAsync(string path)
    {
        var pids = await Eventually.ValueAsync(
            () => File.Exists(path) ? File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : Array.Empty<string>(),
            parts => parts.Length == 2,
            "the first attempt to start its step",
            TimeSpan.FromSeconds(60));
        return [int.Parse(pids[0], CultureInfo.InvariantCulture), int.Parse(pids[1], CultureInfo.InvariantCulture)];
    }

    private static Task WaitUntilGoneAsync(IReadOnlyList<int> pids) =>
        Eventually.TrueAsync(() => pids.All(Processes.IsGone), "the step processes to be gone", TimeSpan.FromSeconds(10));
}
