using System.Diagnostics;
using System.Text;
using Cairn.Core.Runs;
using Cairn.Storage.Tests;

namespace Cairn.EndToEnd.Tests;

/// <summary>Several worker processes draining one store: every job runs exactly once.</summary>
public sealed class WorkerDrainTests
{
    [Fact]
    public async Task FourWorkers_OnOneSqliteFile_Drain5000Jobs_EachExactlyOnce()
    {
        await using var fleet = await WorkerFleet.CreateAsync();
        await DrainAsync(fleet);
    }

    [PostgresFact]
    public async Task FourWorkers_OnOnePostgresDatabase_Drain5000Jobs_EachExactlyOnce()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var fleet = await WorkerFleet.CreateAsync(database.ConnectionString);
        await DrainAsync(fleet);
    }

    private static async Task DrainAsync(WorkerFleet fleet)
    {
        var yaml = new StringBuilder("jobs:\n");
        for (var j = 0; j < 100; j++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  j{j}: {{ steps: [{{ run: \"true\" }}] }}\n");
        }

        var runIds = new List<long>();
        for (var r = 0; r < 50; r++)
        {
            runIds.Add((await fleet.QueueAsync(yaml.ToString())).Id);
        }

        var clock = Stopwatch.StartNew();
        for (var w = 0; w < 4; w++)
        {
            fleet.StartWorker("--executor", "fake", "--concurrency", "4", "--lease", "10s", "--heartbeat", "2s");
        }

        var runs = await fleet.WaitForRunsAsync(runIds, TimeSpan.FromMinutes(5));
        var drained = clock.Elapsed;
        await fleet.StopAllAsync();

        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        var jobs = new List<JobRecord>();
        foreach (var id in runIds)
        {
            jobs.AddRange(await fleet.Store.GetJobsAsync(id, CancellationToken.None));
        }

        Assert.Equal(5000, jobs.Count);
        Assert.All(jobs, j => Assert.Equal((JobStatus.Succeeded, 1), (j.Status, j.Attempt)));
        foreach (var job in jobs)
        {
            var log = await fleet.Store.ReadLogAsync(job.Id, 0, 100, CancellationToken.None);
            Assert.Single(log, l => l.Text.StartsWith("fake: ", StringComparison.Ordinal));
        }

        TestContext.Current.SendDiagnosticMessage($"5000 jobs drained by 4 workers in {drained.TotalSeconds:0.0}s");
    }
}
