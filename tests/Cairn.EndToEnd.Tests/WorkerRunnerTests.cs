using Cairn.Core.Runs;

namespace Cairn.EndToEnd.Tests;

/// <summary>A <c>cairn worker</c> with a runner file: jobs go to the executor their alias names, in a real engine.</summary>
public sealed class WorkerRunnerTests
{
    [ContainerEngineFact]
    public async Task Worker_RunsAContainerAliasJobInTheImage_AndFailsAnUnknownAliasAsConfig()
    {
        await using var fleet = await WorkerFleet.CreateAsync();
        var runners = fleet.Directory.WriteFile("runners.yml", $$"""
            default: host
            runners:
              host: { executor: shell }
              box: { executor: container, cpu: 0.5, memory: 64Mi, image: "{{Engines.TestImage}}" }
            """);
        var run = await fleet.QueueAsync("""
            jobs:
              boxed:
                runner: box
                steps:
                  - run: grep ^ID= /etc/os-release
              on-host:
                steps:
                  - run: test ! -e /etc/os-release || ! grep -q cairn-busybox /etc/os-release
              nowhere:
                runner: xl
                steps:
                  - run: echo never
            """);

        fleet.StartWorker(new Dictionary<string, string?> { ["DOCKER_HOST"] = Engines.ContainerEngine }, "--runners", runners, "--concurrency", "2");
        var ended = await fleet.WaitForRunsAsync([run.Id], TimeSpan.FromSeconds(120));

        Assert.Equal(RunStatus.Failed, ended[0].Status);
        var jobs = (await fleet.Store.GetJobsAsync(run.Id, CancellationToken.None)).ToDictionary(j => j.Name);
        Assert.Equal(JobStatus.Succeeded, jobs["boxed"].Status);
        Assert.Equal(JobStatus.Succeeded, jobs["on-host"].Status);
        Assert.Equal(JobStatus.Failed, jobs["nowhere"].Status);
        Assert.Equal(FailureClass.Config, jobs["nowhere"].FailureClass);
        Assert.Equal("unknown runner 'xl' (known: host, box)", jobs["nowhere"].FailureDetail);
        var log = await fleet.Store.ReadLogAsync(jobs["boxed"].Id, 0, 100, CancellationToken.None);
        Assert.Contains(log, l => l.Text == "ID=cairn-busybox");
        await fleet.StopAllAsync();
    }
}
