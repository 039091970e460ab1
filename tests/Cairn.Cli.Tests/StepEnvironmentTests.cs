using System.Diagnostics;

namespace Cairn.Cli.Tests;

public sealed class StepEnvironmentTests : IDisposable
{
    private const string Probe = """
        jobs:
          probe:
            steps:
              - run: |
                  echo "pwd=$(pwd)"
                  echo "job=$CAIRN_JOB"
                  echo "run=$CAIRN_RUN_ID"
                  echo "event=$CAIRN_EVENT"
                  echo "ci=$CI"
                  echo "sha=$CAIRN_SHA"
                  echo "branch=$CAIRN_BRANCH"
                  echo "ref=$CAIRN_REF"
        """;

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Steps_RunInThePipelineFilesDirectory_WithTheCairnVariables_OverTheCallersOwn()
    {
        _dir.WriteFile("work/.cairn.yml", Probe);
        // Values the caller happens to have must not leak through as if cairn had set them.
        var callerEnv = new Dictionary<string, string?> { ["CI"] = "false", ["CAIRN_JOB"] = "outer", ["CAIRN_EVENT"] = "push" };

        var result = await CairnProcess.RunAsync(_dir.Path, callerEnv, "run", Path.Combine("work", ".cairn.yml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = CairnOutput.LinesOf(result.Stdout, "probe");
        var runId = SummaryTable.Parse(result.Stdout).RunId;
        Assert.Contains($"pwd={_dir.Combine("work")}", lines);
        Assert.Contains("job=probe", lines);
        Assert.Contains($"run={runId}", lines);
        Assert.Contains("event=manual", lines);
        Assert.Contains("ci=true", lines);
    }

    [Fact]
    public async Task Steps_SeeTheHeadCommitAndBranch_InsideAGitRepository()
    {
        _dir.WriteFile(".cairn.yml", Probe);
        await GitAsync("init", "--quiet", "--initial-branch", "feature/probe");
        await GitAsync("add", ".cairn.yml");
        await GitAsync("-c", "user.name=Probe", "-c", "user.email=probe@example.invalid", "commit", "--quiet", "-m", "add the pipeline");
        var head = (await GitAsync("rev-parse", "HEAD")).Trim();

        var result = await CairnProcess.RunAsync(_dir.Path, "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = CairnOutput.LinesOf(result.Stdout, "probe");
        Assert.Matches("^[0-9a-f]{40}$", head);
        Assert.Contains($"sha={head}", lines);
        Assert.Contains("branch=feature/probe", lines);
        Assert.Contains("ref=refs/heads/feature/probe", lines);
    }

    [Fact]
    public async Task ALocalRun_PassesTheCallersEnvironment_AndCleanEnv_GivesWhatAServerWould()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              probe:
                env: { MINE: from-the-job }
                steps:
                  - run: echo "caller=${CALLER_ONLY:-unset} mine=$MINE path=$PATH lang=$LANG tz=$TZ home-is-callers=$([ "$HOME" = "$CALLER_HOME" ] && echo yes || echo no)"
            """);
        var callerEnv = new Dictionary<string, string?> { ["CALLER_ONLY"] = "laptop-value", ["CALLER_HOME"] = Environment.GetEnvironmentVariable("HOME") };

        var inherited = await CairnProcess.RunAsync(_dir.Path, callerEnv, "run");
        var clean = await CairnProcess.RunAsync(_dir.Path, callerEnv, "run", "--clean-env");

        Assert.True(inherited.ExitCode == 0, inherited.ToString());
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains(CairnOutput.LinesOf(inherited.Stdout, "probe"), l => l.StartsWith("caller=laptop-value mine=from-the-job", StringComparison.Ordinal) && l.EndsWith("home-is-callers=yes", StringComparison.Ordinal));
        Assert.Contains("caller=unset mine=from-the-job path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin lang=C.UTF-8 tz=UTC home-is-callers=no",
            CairnOutput.LinesOf(clean.Stdout, "probe"));
    }

    public void Dispose() => _dir.Dispose();

    private async Task<string> GitAsync(params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["HOME"] = _dir.Path;
        using var git = Process.Start(info)!;
        var stdout = git.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = git.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await git.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }
}
