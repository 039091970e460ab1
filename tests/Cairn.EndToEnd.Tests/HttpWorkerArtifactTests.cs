using System.Net;
using Cairn.Core.Runs;

namespace Cairn.EndToEnd.Tests;

/// <summary>Artifacts and caches of jobs on a real <c>cairn worker --server</c> process: they reach the server only through
/// the worker's lease, and come back to the next job and the next run the same way.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HttpWorkerArtifactTests
{
    private const string Pipeline = """
        jobs:
          build:
            cache:
              - key: deps-${{ hashFiles('.cairn.yml') }}
                paths: [deps]
            steps:
              - run: |
                  if [ -f deps/fetched ]; then echo "deps from the cache"; else echo "fetching deps"; mkdir -p deps && date > deps/fetched; fi
                  mkdir -p dist/sub && echo "built by $CAIRN_JOB" > dist/app.txt && echo deep > dist/sub/b.txt
            artifacts:
              paths: ["dist/**"]
          check:
            needs: [build]
            steps:
              - run: cat dist/app.txt dist/sub/b.txt
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_worker_s_artifacts_reach_the_next_job_and_the_api_and_its_cache_the_next_run()
    {
        await using var fleet = await HttpFleet.StartAsync();
        fleet.StartWorker(await fleet.AddWorkerAsync("remote"));

        var (first, jobs) = await fleet.TriggerAsync(Pipeline);
        Assert.Equal(RunStatus.Succeeded, (await fleet.WaitForRunAsync(first)).Status);
        Assert.Contains("fetching deps", await fleet.LogAsync(jobs[0]));
        Assert.Contains(await fleet.LogAsync(jobs[0]), l => l.StartsWith("artifacts: kept 2 files", StringComparison.Ordinal));
        Assert.Contains(await fleet.LogAsync(jobs[0]), l => l.StartsWith("cache: saved 'deps-", StringComparison.Ordinal));
        Assert.Contains("built by build", await fleet.LogAsync(jobs[1]));
        Assert.Contains(await fleet.LogAsync(jobs[1]), l => l.StartsWith("artifacts: restored 2 files", StringComparison.Ordinal));

        using var file = await fleet.Admin.GetAsync($"/api/v1/runs/{first}/artifacts/build/files/dist/app.txt", Token);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("built by build\n", await file.Content.ReadAsStringAsync(Token));
        Assert.Equal("nosniff", Assert.Single(file.Headers.GetValues("X-Content-Type-Options")));

        var (second, again) = await fleet.TriggerRunAsync(HttpFleet.Repository);
        Assert.Equal(RunStatus.Succeeded, (await fleet.WaitForRunAsync(second)).Status);
        Assert.Contains("deps from the cache", await fleet.LogAsync(again[0]));
        Assert.Contains(await fleet.LogAsync(again[0]), l => l.EndsWith("was restored as it is; nothing to save", StringComparison.Ordinal));
        await fleet.StopWorkersAsync();
    }
}
