using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;

namespace Cairn.Executors.Tests;

/// <summary>What a server's or worker's steps get of it: a clean environment, a fresh HOME, and, run as root, another
/// user who cannot read what the server can.</summary>
public sealed class ShellExecutorIsolationTests : IDisposable
{
    private const string Marker = "CAIRN_TEST_HOST_MARKER";
    private readonly TempDirectory _root = new();
    private readonly RecordingJobReporter _reporter = new();

    public ShellExecutorIsolationTests()
    {
        Environment.SetEnvironmentVariable(Marker, "host-only-value");
        Directory.CreateDirectory(_root.Combine("ws"));
        Directory.CreateDirectory(_root.Combine("homes"));
        if (!OperatingSystem.IsWindows())
        {
            // Steps running as another user pass through here to their workspace, as through a server's workspaces folder.
            File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_001_001);
        }
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Marker, null);
        _root.Dispose();
    }

    private ShellExecutor Executor(bool? switchUsers = false, IReadOnlyList<string>? passEnv = null, string? user = null) => new(new ShellExecutorOptions
    {
        Environment = new StepEnvironmentPolicy(true, "/usr/bin:/bin", passEnv ?? []),
        IsolateSteps = true,
        SwitchUsers = switchUsers,
        DefaultUser = user,
        HomeRoot = _root.Combine("homes"),
    }, TimeProvider.System);

    private string Workspace => _root.Combine("ws");

    [Fact]
    public async Task CleanEnvironment_HoldsOnlyWhatAStepIsOwed_AndNothingOfTheHost()
    {
        var job = Job(Workspace, [Step(0, "env | sort")], env: new Dictionary<string, string> { ["CAIRN_JOB"] = "build", ["MINE"] = "yes" });

        var outcome = await Executor().RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var env = _reporter.Text(0, LogStream.Stdout)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.DoesNotContain(env.Values, v => v.Contains("host-only-value", StringComparison.Ordinal));
        Assert.Equal("/usr/bin:/bin", env["PATH"]);
        Assert.Equal(("C.UTF-8", "C.UTF-8", "UTC"), (env["LANG"], env["LC_ALL"], env["TZ"]));
        Assert.Equal(Environment.UserName, env["USER"]);
        Assert.Equal(Environment.UserName, env["LOGNAME"]);
        Assert.Equal(("build", "yes"), (env["CAIRN_JOB"], env["MINE"]));
        Assert.StartsWith(_root.Combine("homes", "home-"), env["HOME"], StringComparison.Ordinal);
        Assert.NotEqual(Environment.GetEnvironmentVariable("HOME"), env["HOME"]);

        // Only the step owner variable of the orphan sentinel, the shell's own and the ones above.
        var expected = new[] { "PATH", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "HOME", "CAIRN_JOB", "MINE", "CAIRN_STEP_OWNER", "PWD", "SHLVL", "_" };
        Assert.Empty(env.Keys.Except(expected));
    }

    [Fact]
    public async Task EachAttempt_GetsAFreshHome_ThatIsGoneAfterTheJob()
    {
        var job = Job(Workspace, [Step(0, "echo \"$HOME\"; ls -A \"$HOME\" | wc -l; touch \"$HOME/.left-behind\"")]);

        await Executor().RunAsync(job, _reporter, TestContext.Current.CancellationToken);
        var first = _reporter.Text(0, LogStream.Stdout);
        var second = new RecordingJobReporter();
        await Executor().RunAsync(job, second, TestContext.Current.CancellationToken);

        Assert.Equal("0", first[1].Trim());
        Assert.Equal("0", second.Text(0, LogStream.Stdout)[1].Trim());
        Assert.NotEqual(first[0], second.Text(0, LogStream.Stdout)[0]);
        Assert.False(Directory.Exists(first[0]));
        Assert.Empty(Directory.GetDirectories(_root.Combine("homes")));
    }

    [Fact]
    public async Task PassEnv_LetsTheNamedHostVariablesThrough_FromTheServerAndTheRunner()
    {
        Environment.SetEnvironmentVariable("CAIRN_TEST_PROXY", "http://proxy:3128");
        try
        {
            var job = Job(Workspace, [Step(0, "echo \"marker=${CAIRN_TEST_HOST_MARKER:-unset} proxy=${CAIRN_TEST_PROXY:-unset}\"")]) with { PassEnv = [Marker] };

            await Executor(passEnv: ["CAIRN_TEST_PROXY", "CAIRN_TEST_NOT_SET"]).RunAsync(job, _reporter, TestContext.Current.CancellationToken);

            Assert.Equal(["marker=host-only-value proxy=http://proxy:3128"], _reporter.Text(0, LogStream.Stdout));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CAIRN_TEST_PROXY", null);
        }
    }

    [Fact]
    public async Task UntrustedJob_IsRefusedAsConfig_WhenStepsWouldRunAsThisProcesssUser()
    {
        var job = Job(Workspace, [Step(0, "touch ran")]) with { Untrusted = true };

        var outcome = await Executor(switchUsers: false).RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Config, outcome.FailureClass);
        Assert.Contains("pull request from a fork", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("container", outcome.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Workspace, "ran")));
        Assert.Empty(_reporter.Events);
    }

    [Fact]
    public async Task UntrustedJob_RunsOnALaptop_WhereNothingIsIsolated()
    {
        var executor = new ShellExecutor(new ShellExecutorOptions(), TimeProvider.System);
        var job = Job(Workspace, [Step(0, "touch ran")]) with { Untrusted = true };

        var outcome = await executor.RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
    }

    [RootFact]
    public async Task AsRoot_StepsRunAsTheUnprivilegedUser_OwningTheirWorkspaceAndHome_AndCannotReadRootsFiles()
    {
        var secret = _root.WriteFile("private/master.key", "the-master-key");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(Path.Combine(Workspace, "checked-out"), "source");
        var job = Job(Workspace, [Step(0, $"""
            id -un
            echo "user=$USER logname=$LOGNAME"
            stat -c '%U' . "$HOME" checked-out
            touch made-by-step "$HOME/also"
            grep NoNewPrivs /proc/self/status
            cat '{secret}' || echo unreadable
            """)]);

        var outcome = await Executor(switchUsers: null, user: "nobody").RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        var lines = _reporter.Text(0, LogStream.Stdout);
        Assert.Equal(["nobody", "user=nobody logname=nobody", "nobody", "nobody", "nobody"], lines.Take(5));
        Assert.Matches(@"^NoNewPrivs:\s+1$", lines[5]);
        Assert.Equal("unreadable", lines[6]);
        Assert.DoesNotContain(_reporter.Lines, l => l.Text.Contains("the-master-key", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Workspace, "made-by-step")));
    }

    [RootFact]
    public async Task AsRoot_TheWholeWorkspaceIsTheStepUsers_ButNotWhatItsSymbolicLinksPointAt()
    {
        var outside = _root.WriteFile("outside/kept.txt", "root's");
        Directory.CreateDirectory(Path.Combine(Workspace, "src", "deep", ".git"));
        File.WriteAllText(Path.Combine(Workspace, "src", "deep", ".git", "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(Workspace, "src", "deep", "a.c"), "int a;");
        File.CreateSymbolicLink(Path.Combine(Workspace, "src", "to-file"), outside);
        Directory.CreateSymbolicLink(Path.Combine(Workspace, "to-directory"), Path.GetDirectoryName(outside)!);
        var job = Job(Workspace, [Step(0, """
            stat -c '%U %n' src src/deep src/deep/.git src/deep/.git/HEAD src/deep/a.c
            stat -c '%U %n' src/to-file to-directory
            echo changed >> src/deep/a.c
            """)]);

        var outcome = await Executor(switchUsers: null, user: "nobody").RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.All(_reporter.Text(0, LogStream.Stdout), l => Assert.StartsWith("nobody ", l, StringComparison.Ordinal));
        Assert.Equal(7, _reporter.Text(0, LogStream.Stdout).Count);
        Assert.Equal(0, StatOwner(outside));
        Assert.Equal(0, StatOwner(Path.GetDirectoryName(outside)!));
    }

    private static int StatOwner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return int.Parse(owner, System.Globalization.CultureInfo.InvariantCulture);
    }

    [RootFact]
    public async Task AsRoot_UntrustedJob_Runs_AsTheUnprivilegedUser()
    {
        var job = Job(Workspace, [Step(0, "id -u")]) with { Untrusted = true };

        var outcome = await Executor(switchUsers: null, user: "nobody").RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(["65534"], _reporter.Text(0, LogStream.Stdout));
    }

    [RootFact]
    public async Task AsRoot_TheRunnersUser_WinsOverTheDefault_AndAnUnknownUserIsAConfigError()
    {
        var named = Job(Workspace, [Step(0, "id -un")]) with { User = "nobody" };
        var unknown = Job(Workspace, [Step(0, "touch ran")]) with { User = "no-such-user-here" };

        var ran = await Executor(switchUsers: null, user: "root").RunAsync(named, _reporter, TestContext.Current.CancellationToken);
        var refused = await Executor(switchUsers: null).RunAsync(unknown, new RecordingJobReporter(), TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, ran.Status);
        Assert.Equal(["nobody"], _reporter.Text(0, LogStream.Stdout));
        Assert.Equal((JobStatus.Failed, FailureClass.Config), (refused.Status, refused.FailureClass));
        Assert.Contains("no user 'no-such-user-here'", refused.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Workspace, "ran")));
    }

    [RootFact]
    public async Task AsRoot_UntrustedJob_IsRefused_WhenItsRunnerWouldRunItAsRoot()
    {
        var job = Job(Workspace, [Step(0, "touch ran")]) with { Untrusted = true, User = "root" };

        var outcome = await Executor(switchUsers: null).RunAsync(job, _reporter, TestContext.Current.CancellationToken);

        Assert.Equal((JobStatus.Failed, FailureClass.Config), (outcome.Status, outcome.FailureClass));
        Assert.False(File.Exists(Path.Combine(Workspace, "ran")));
    }
}
