using Cairn.Cli.Tests;
using Cairn.Core.Runs;

namespace Cairn.EndToEnd.Tests;

/// <summary>How a worker and a local run end: a polite stop lets jobs finish or cancels them on record; a kill leaves no steps.</summary>
public sealed class WorkerStopTests
{
    [Theory]
    [InlineData("30s", JobStatus.Succeeded)]
    [InlineData("500ms", JobStatus.Queued)]
    public async Task Sigterm_StopsLeasing_AndRunningJobsFinishWithinGrace_OrGoBackToTheQueue(string grace, JobStatus expected)
    {
        await using var fleet = await WorkerFleet.CreateAsync();
        var marker = fleet.Directory.Combine("started");
        var run = await fleet.QueueAsync($$"""
            jobs:
              slow: { steps: [{ run: "touch {{marker}}; sleep 3; echo done" }] }
              later: { needs: [slow], steps: [{ run: "true" }] }
            """);
        var worker = fleet.StartWorker("--concurrency", "1", "--grace", grace);
        await WaitForFileAsync(marker);

        await worker.SignalAsync("TERM");
        var result = await worker.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        var jobs = (await fleet.Store.GetJobsAsync(run.Id, CancellationToken.None)).ToDictionary(j => j.Name);
        Assert.Equal(expected, jobs["slow"].Status);
        // Nothing new is leased after the stop: what was waiting is still there for another worker.
        Assert.Equal(expected == JobStatus.Succeeded ? JobStatus.Queued : JobStatus.Waiting, jobs["later"].Status);
        Assert.Contains("no new jobs", result.Stderr, StringComparison.Ordinal);
        if (expected == JobStatus.Queued)
        {
            // A job stopped by its worker's shutdown is not lost: the next worker runs it from the start.
            Assert.Contains("the worker stopped before the job ended", jobs["slow"].FailureDetail, StringComparison.Ordinal);
            var next = fleet.StartWorker("--concurrency", "1");
            var finished = await WaitForJobAsync(fleet, run.Id, "later", JobStatus.Succeeded);
            await next.SignalAsync("TERM");
            await next.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(2, finished["slow"].Attempt);
            Assert.Equal(JobStatus.Succeeded, finished["slow"].Status);
        }
    }

    private static Task<Dictionary<string, JobRecord>> WaitForJobAsync(WorkerFleet fleet, long runId, string name, JobStatus status) =>
        Eventually.ValueAsync(
            async () => (await fleet.Store.GetJobsAsync(runId, CancellationToken.None)).ToDictionary(j => j.Name),
            jobs => jobs[name].Status == status,
            $"job {name} of run {runId} to become {status}",
            TimeSpan.FromSeconds(60),
            jobs => string.Join(", ", jobs.Values.Select(j => $"{j.Name}={j.Status}")));

    [Fact]
    public async Task KilledLocalRun_LeavesNoStepProcesses()
    {
        using var directory = new TempDirectory();
        var pids = directory.Combine("pids");
        directory.WriteFile(".cairn.yml", $$"""
            jobs:
              hang: { steps: [{ run: "sleep 300 & echo \"$! $$\" > {{pids}}; wait" }] }
            """);
        await using var cairn = CairnProcess.Start(directory.Path, new Dictionary<string, string?>(), "run");
        var text = await WaitForFileAsync(pids, t => t.EndsWith('\n'));
        var started = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        await cairn.SignalAsync("KILL");

        await Eventually.TrueAsync(() => started.All(Processes.IsGone), "the step processes to be gone", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(2, started.Count);
        Assert.All(started, pid => Assert.True(Processes.IsGone(pid), $"step process {pid} outlived the killed cairn run"));
    }

    /// <summary>The file's text once it exists and <paramref name="complete"/> says it is whole.</summary>
    private static async Task<string> WaitForFileAsync(string path, Func<string, bool>? complete = null) =>
        (await Eventually.ValueAsync(
            () => File.Exists(path) ? File.ReadAllText(path) : null,
            text => text is not null && (complete?.Invoke(text) ?? true),
            $"{path} to appear",
            TimeSpan.FromSeconds(60)))!;
}
