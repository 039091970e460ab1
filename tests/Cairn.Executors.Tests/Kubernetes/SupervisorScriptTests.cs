using System.Diagnostics;
using Cairn.Core.Execution;
using Cairn.Executors.Kubernetes;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>The pod's step supervisor, run for real under dash (/bin/sh), bash and busybox sh.</summary>
public sealed class SupervisorScriptTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static JobSpec Job(params StepSpec[] steps) => Jobs.Job("/unused", steps);

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("busybox")]
    public async Task Steps_RunInOrder_WithTheirExitCodes_AndConditionsAfterAFailure(string shell)
    {
        var job = Job(
            Step(0, "echo first"),
            Step(1, "echo second; exit 3"),
            Step(2, "echo not reached"),
            Step(3, "echo cleanup", condition: "always()"),
            Step(4, "echo report", condition: "failure()"),
            Step(5, "echo never", condition: "success() && failure()"));

        var (code, output, markers, _) = await SupervisorRun.RunAsync(job, shell, Token);

        Assert.Equal(
            ["start:0", "end:0:0", "start:1", "end:1:3", "skip:2", "start:3", "end:3:0", "start:4", "end:4:0", "skip:5", "done"],
            markers);
        Assert.Equal(1, code);
        var lines = output.Split('\n');
        Assert.Contains("first", lines);
        Assert.Contains("cleanup", lines);
        Assert.Contains("report", lines);
        Assert.DoesNotContain("not reached", lines);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("busybox")]
    public async Task WithHolds_TheStepsWaitForTheRestoredFile_AndTheSupervisorForTheArchivedOne(string shell)
    {
        using var run = new SupervisorRun(Job(Step(0, "cat need.txt > seen.txt")), holds: true);
        run.Start(SupervisorRun.ShellCommand(shell));

        // Written before the release: a step that ran before it would not find it.
        await System.IO.File.WriteAllTextAsync(run.InWorkspace("need.txt"), "brought in\n", Token);
        await System.IO.File.WriteAllTextAsync(run.RestoredFile, "", Token);
        await Eventually.TrueAsync(() => System.IO.File.Exists(run.InWorkspace("seen.txt")) && new FileInfo(run.InWorkspace("seen.txt")).Length > 0,
            "the step ran", cancellationToken: Token);
        Assert.False(run.HasExited);
        await System.IO.File.WriteAllTextAsync(run.ArchivedFile, "", Token);
        var (code, output, _) = await run.FinishAsync(Token);

        Assert.Equal(0, code);
        Assert.Equal(["start:0", "end:0:0", "done"], SupervisorRun.Markers(output));
        Assert.Equal("brought in\n", await System.IO.File.ReadAllTextAsync(run.InWorkspace("seen.txt"), Token));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("busybox")]
    public async Task AllPassing_EndsWithDone_AndExitsZero(string shell)
    {
        var (code, _, markers, _) = await SupervisorRun.RunAsync(Job(Step(0, "true"), Step(1, "echo skipped", condition: "failure()")), shell, Token);

        Assert.Equal(["start:0", "end:0:0", "skip:1", "done"], markers);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task AnInvalidCondition_IsSkipped_AndCountsAsAFailure()
    {
        var job = Job(Step(0, "echo a"), Step(1, "echo b", condition: "nosuchfunction()"), Step(2, "echo c"), Step(3, "echo d", condition: "failure()"));

        var (code, _, markers, _) = await SupervisorRun.RunAsync(job, "sh", Token);

        Assert.Equal(["start:0", "end:0:0", "skip:1", "skip:2", "start:3", "end:3:0", "done"], markers);
        Assert.Equal(1, code);
    }

    [Theory]
    [InlineData("sh", false)]
    [InlineData("bash", false)]
    [InlineData("busybox", false)]
    [InlineData("sh", true)]
    public async Task AStepTimeout_StopsTheStep_AndWhatItStartedInTheBackground_ThenTheNextStepsGoOn(string shell, bool withoutSetsid)
    {
        var job = Job(
            Step(0, "sleep 1000 & echo $! > bg.pid; echo started; sleep 1000", timeout: TimeSpan.FromSeconds(1)),
            Step(1, "echo after", condition: "always()"));
        using var run = new SupervisorRun(job);

        run.Start(SupervisorRun.ShellCommand(shell), withoutSetsid ? PathWithout(run, "setsid", "bash") : null);
        var (code, output, errors) = await run.FinishAsync(Token);

        Assert.Equal(["start:0", "timeout:0", "start:1", "end:1:0", "done"], SupervisorRun.Markers(output));
        Assert.Equal(1, code);
        Assert.Equal("", errors);
        var child = ReadPids(run.InWorkspace("bg.pid")).Single();
        Assert.True(await IsGoneSoonAsync(child, Token), $"the step's background child {child} still runs");
    }

    [Fact]
    public async Task AStepThatIgnoresTerm_IsKilledAfterTheGrace()
    {
        var job = Job(Step(0, "trap '' TERM; sleep 1000 & echo $! > bg.pid; sleep 1000", timeout: TimeSpan.FromSeconds(1)));
        using var run = new SupervisorRun(job, grace: TimeSpan.FromSeconds(1));

        run.Start(SupervisorRun.ShellCommand("sh"));
        var (code, output, _) = await run.FinishAsync(Token);

        Assert.Equal(["start:0", "timeout:0", "done"], SupervisorRun.Markers(output));
        Assert.Equal(1, code);
        Assert.True(await IsGoneSoonAsync(ReadPids(run.InWorkspace("bg.pid")).Single(), Token), "the step's background child still runs");
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("busybox")]
    public async Task TermToTheSupervisor_StopsTheRunningStep_MarksIt_AndExits(string shell)
    {
        var job = Job(
            Step(0, "sleep 1000 & echo $! > bg.pid; echo $$ > step.pid; wait"),
            Step(1, "echo not reached", condition: "always()"));
        using var run = new SupervisorRun(job);
        run.Start(SupervisorRun.ShellCommand(shell));
        await WaitForFileAsync(run.InWorkspace("step.pid"), Token);

        using (var kill = Process.Start("kill", ["-TERM", run.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Token);
        }

        var (code, output, _) = await run.FinishAsync(Token);
        Assert.Equal(["start:0", "term:0"], SupervisorRun.Markers(output));
        Assert.Equal(143, code);
        Assert.True(await IsGoneSoonAsync(ReadPids(run.InWorkspace("bg.pid")).Single(), Token), "the step's background child still runs");
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("bash")]
    [InlineData("busybox")]
    public async Task TheNonce_ReachesNoStep_NotInItsEnvironment_NorInItsParentsEnvironment(string shell)
    {
        var job = Job(Step(0, "env > env.txt; tr '\\0' '\\n' < /proc/$PPID/environ > parent.txt; echo ok"));
        using var run = new SupervisorRun(job);

        run.Start(SupervisorRun.ShellCommand(shell));
        var (_, output, _) = await run.FinishAsync(Token);

        Assert.Equal(["start:0", "end:0:0", "done"], SupervisorRun.Markers(output));
        Assert.DoesNotContain(SupervisorRun.Nonce, File.ReadAllText(run.InWorkspace("env.txt")), StringComparison.Ordinal);
        Assert.DoesNotContain(SupervisorRun.Nonce, File.ReadAllText(run.InWorkspace("parent.txt")), StringComparison.Ordinal);
        Assert.Contains("PATH=", File.ReadAllText(run.InWorkspace("parent.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFakeMarker_WithAnotherNonce_IsOutput_AndOutputWithoutANewline_EndsBeforeTheMarker()
    {
        var job = Job(Step(0, "echo '##cairn:guess:end:0:0'; echo '##cairn:guess:done'; printf 'no newline'"));

        var (_, output, markers, _) = await SupervisorRun.RunAsync(job, "sh", Token);

        Assert.Equal(["start:0", "end:0:0", "done"], markers);
        var lines = output.Split('\n');
        Assert.Contains("##cairn:guess:end:0:0", lines);
        Assert.Contains("##cairn:guess:done", lines);
        var last = lines.Single(l => l.StartsWith("no newline", StringComparison.Ordinal));
        Assert.True(StepMarkers.TryParse(last, SupervisorRun.Nonce, out var before, out var marker));
        Assert.Equal(("no newline", StepMarkerKind.End, 0, (int?)0), (before, marker.Kind, marker.Index, marker.ExitCode));
    }

    [Fact]
    public async Task AStepsOwnVariables_AreExportedAsWritten_AndItRunsInTheWorkspace()
    {
        var env = new Dictionary<string, string> { ["TRICKY"] = "it's $(echo no) `echo no` \"q\" \\ end", ["PLAIN"] = "x" };
        var job = Job(Step(0, "printf '%s|%s|%s\\n' \"$TRICKY\" \"$PLAIN\" \"$(pwd)\"", env: env));
        using var run = new SupervisorRun(job);

        run.Start(SupervisorRun.ShellCommand("sh"));
        var (_, output, _) = await run.FinishAsync(Token);

        Assert.Contains($"it's $(echo no) `echo no` \"q\" \\ end|x|{run.Workspace}", output.Split('\n'));
    }

    [Fact]
    public async Task StepsRunUnderBashWithPipefail_WhenBashIsThere_ElseUnderShWithErrexit()
    {
        var job = Job(Step(0, "false | true; echo survived"), Step(1, "false; echo survived", condition: "always()"));
        using var run = new SupervisorRun(job);
        run.Start(SupervisorRun.ShellCommand("sh"), PathWithout(run, "bash"));
        var (_, withoutBash, _) = await run.FinishAsync(Token);

        var (_, _, withBash, _) = await SupervisorRun.RunAsync(job, "sh", Token);

        Assert.Equal(["start:0", "end:0:0", "start:1", "end:1:1", "done"], SupervisorRun.Markers(withoutBash));
        if (SupervisorRun.Which("bash") is not null)
        {
            Assert.Equal(["start:0", "end:0:1", "start:1", "end:1:1", "done"], withBash);
        }
    }

    // A PATH of links to the tools of this PATH, less the named ones.
    private static string PathWithout(SupervisorRun run, params string[] missing)
    {
        var bin = Path.Combine(run.Programs, "..", "bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in new[] { "sleep", "readlink", "env", "tr", "cat", "sh", "dash", "bash", "setsid", "pwd", "true", "false" })
        {
            if (!missing.Contains(tool) && SupervisorRun.Which(tool) is { } found && !File.Exists(Path.Combine(bin, tool)))
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), found);
            }
        }

        return bin;
    }
}
