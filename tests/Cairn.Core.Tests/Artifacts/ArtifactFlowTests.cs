using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Artifacts;

public sealed class ArtifactFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_job_s_artifacts_are_kept_and_in_the_workspace_of_the_job_that_needs_it_before_its_first_step()
    {
        await using var flow = await ArtifactFlow.CreateAsync();

        var (run, jobs) = await flow.RunAsync("""
            jobs:
              build:
                steps:
                  - run: mkdir -p dist/sub && echo app > dist/app.txt && echo deep > dist/sub/b.txt && echo '<x/>' > coverage.xml && echo no > notes.txt
                artifacts:
                  paths: ["dist/**", "coverage.xml"]
                  expire-in: 14d
              deploy-check:
                needs: [build]
                steps:
                  - run: cat dist/app.txt dist/sub/b.txt coverage.xml && test ! -e notes.txt
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Contains("deep", await flow.OutputAsync(jobs["deploy-check"]));
        var set = Assert.Single(await flow.Store.ListArtifactSetsAsync(run.Id, Ct));
        Assert.Equal(("build", 3), (set.JobName, set.Files));
        Assert.InRange(set.ExpiresAt - set.CreatedAt, TimeSpan.FromDays(14) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));
        var files = await flow.Store.ListArtifactFilesAsync(set.Id, "", 100, Ct);
        Assert.Equal(["coverage.xml", "dist/app.txt", "dist/sub/b.txt"], files.Select(f => f.Path));
        var app = files.Single(f => f.Path == "dist/app.txt");
        await using (var bytes = await flow.Blobs.OpenReadAsync(set.Blob, app.Offset, app.Size, Ct))
        {
            Assert.Equal("app\n", await new StreamReader(bytes!).ReadToEndAsync(Ct));
        }

        Assert.Contains(await flow.SystemLinesAsync(jobs["build"]), l => l.StartsWith("artifacts: kept 3 files (", StringComparison.Ordinal));
        Assert.Contains(await flow.SystemLinesAsync(jobs["deploy-check"]), l => l.StartsWith("artifacts: restored 3 files (", StringComparison.Ordinal) && l.Contains("of 'build'", StringComparison.Ordinal));
    }

    [ContainerEngineFact]
    public async Task Container_jobs_keep_artifacts_and_caches_under_the_container_s_home_and_hand_them_on()
    {
        await using var flow = await ArtifactFlow.CreateAsync();
        using var executor = new Executors.Container.ContainerExecutor(
            new Executors.Container.ContainerExecutorOptions { EngineAddress = Engines.ContainerEngine, OwnerId = $"artifact-flow-{Guid.NewGuid():N}" }, TimeProvider.System);
        var pipeline = $$"""
            jobs:
              build:
                image: {{Engines.TestImage}}
                cache:
                  - key: tool-v1
                    paths: [~/.tool]
                steps:
                  - run: if [ -f ~/.tool/bin ]; then echo "tool from the cache"; else mkdir -p ~/.tool && echo tool > ~/.tool/bin; fi
                  - run: mkdir -p dist && echo "made in a container" > dist/app.txt
                artifacts:
                  paths: ["dist/**"]
              check:
                image: {{Engines.TestImage}}
                needs: [build]
                steps:
                  - run: cat dist/app.txt
            """;

        var (run, jobs) = await flow.RunAsync(pipeline, executor: executor);
        Assert.True(run.Status == RunStatus.Succeeded, string.Join("\n", await flow.OutputAsync(jobs["build"])));
        Assert.Contains("made in a container", await flow.OutputAsync(jobs["check"]));
        Assert.Contains(await flow.SystemLinesAsync(jobs["build"]), l => l.StartsWith("cache: saved 'tool-v1'", StringComparison.Ordinal));

        var (again, againJobs) = await flow.RunAsync(pipeline, executor: executor);
        Assert.Equal(RunStatus.Succeeded, again.Status);
        Assert.Contains("tool from the cache", await flow.OutputAsync(againJobs["build"]));
    }

    [Theory]
    [InlineData("always", true, true)]
    [InlineData("on_failure", true, true)]
    [InlineData("on_failure", false, false)]
    [InlineData("on_success", true, false)]
    public async Task When_says_whether_a_job_keeps_its_artifacts(string when, bool fails, bool kept)
    {
        await using var flow = await ArtifactFlow.CreateAsync();

        var (run, jobs) = await flow.RunAsync($$"""
            jobs:
              test:
                steps:
                  - run: mkdir -p reports && echo result > reports/junit.xml && exit {{(fails ? 1 : 0)}}
                artifacts:
                  paths: [reports/**]
                  when: {{when}}
            """);

        Assert.Equal(fails ? RunStatus.Failed : RunStatus.Succeeded, run.Status);
        Assert.Equal(kept, (await flow.Store.ListArtifactSetsAsync(run.Id, Ct)).Count == 1);
        var lines = await flow.SystemLinesAsync(jobs["test"]);
        Assert.Contains(lines, l => l.StartsWith(kept ? "artifacts: kept 1 file" : "artifacts: not kept: the job", StringComparison.Ordinal));
        if (fails)
        {
            Assert.Equal(FailureClass.Script, jobs["test"].FailureClass);
        }
    }

    [Fact]
    public async Task A_link_out_of_the_workspace_is_refused_with_a_line_and_the_rest_is_kept()
    {
        await using var flow = await ArtifactFlow.CreateAsync();

        var (run, jobs) = await flow.RunAsync("""
            jobs:
              build:
                steps:
                  - run: mkdir -p dist && echo ok > dist/ok.txt && ln -s /etc/passwd dist/passwd && ln -s ../../../.. dist/up && ln -s ok.txt dist/latest
                artifacts:
                  paths: ["dist/**"]
            """);

        Assert.True(run.Status == RunStatus.Succeeded, string.Join("\n", await flow.OutputAsync(jobs["build"])));
        var set = Assert.Single(await flow.Store.ListArtifactSetsAsync(run.Id, Ct));
        var files = await flow.Store.ListArtifactFilesAsync(set.Id, "", 100, Ct);
        Assert.Equal(["dist/latest", "dist/ok.txt"], files.Select(f => f.Path));
        Assert.Equal("ok.txt", files[0].LinkTarget);
        var lines = await flow.SystemLinesAsync(jobs["build"]);
        Assert.Contains("artifacts: refused 'dist/passwd': a symbolic link to '/etc/passwd', which leaves the folder", lines);
        Assert.Contains("artifacts: refused 'dist/up': a symbolic link to '../../../..', which leaves the folder", lines);
    }

    [Fact]
    public async Task Nothing_matched_keeps_no_set_and_says_so()
    {
        await using var flow = await ArtifactFlow.CreateAsync();

        var (run, jobs) = await flow.RunAsync("""
            jobs:
              build:
                steps: [{ run: "true" }]
                artifacts:
                  paths: ["dist/**"]
            """);

        Assert.True(run.Status == RunStatus.Succeeded, string.Join("\n", await flow.OutputAsync(jobs["build"])));
        Assert.Empty(await flow.Store.ListArtifactSetsAsync(run.Id, Ct));
        Assert.Contains("artifacts: nothing matched dist/**", await flow.SystemLinesAsync(jobs["build"]));
    }

    [Fact]
    public async Task Artifacts_over_the_job_limit_fail_the_job_saying_so()
    {
        await using var flow = await ArtifactFlow.CreateAsync(Core.Artifacts.ArtifactSettings.Default with { MaxJobBytes = 64 * 1024 });

        var (run, jobs) = await flow.RunAsync("""
            jobs:
              build:
                steps:
                  - run: mkdir -p dist && head -c 200000 /dev/zero > dist/big.bin
                artifacts:
                  paths: ["dist/**"]
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(FailureClass.Config, jobs["build"].FailureClass);
        Assert.Contains("a job may keep", jobs["build"].FailureDetail, StringComparison.Ordinal);
        Assert.Empty(await flow.Store.ListArtifactSetsAsync(run.Id, Ct));
    }
}
