using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Shell.TarStreams;

namespace Cairn.Executors.Tests.Shell;

/// <summary>Files in and out of a shell job: restored where its steps look (the workspace, their HOME), theirs to
/// write, and what they made read back.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShellJobEnvironmentFilesTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly RecordingJobReporter _reporter = new();

    public ShellJobEnvironmentFilesTests()
    {
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(_root.Combine("homes"));

        // Steps running as another user pass through here to their workspace and HOME.
        File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_001_001);
    }

    public void Dispose() => _root.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string Workspace => _root.Combine("ws");

    private ShellJobEnvironment Environment(JobSpec job, bool isolated)
    {
        var options = new ShellExecutorOptions
        {
            Environment = isolated ? new StepEnvironmentPolicy(true, "/usr/bin:/bin", []) : StepEnvironmentPolicy.Inherit,
            IsolateSteps = isolated,
            SwitchUsers = isolated ? true : false,
            HomeRoot = _root.Combine("homes"),
            KillStepsWithHost = false,
        };
        return new ShellJobEnvironment(job, _reporter, options, ShellCommand.Locate(options), () => null,
            new ConcurrentDictionary<StepProcess, byte>(), TimeProvider.System);
    }

    [Fact]
    public async Task RestoredWorkspaceFiles_AreReadByAStep_AndWhatAStepMadeComesBack()
    {
        var step = Step(0, "cat dist/app.txt; mkdir -p out && echo made > out/report.txt");
        var environment = Environment(Job(Workspace, [step]), isolated: false);
        Assert.Equal(JobSetup.Ready, await environment.PrepareAsync(Token));
        try
        {
            Assert.Equal(Path.GetFullPath(Workspace), environment.WorkspacePath);
            await environment.ExtractAsync(environment.WorkspacePath, Write(FileEntry("dist/app.txt", "the app\n")), Token);

            Assert.Equal(StepExit.Exited(0), await environment.RunStepAsync(step, Token));
            var tar = new MemoryStream();
            await environment.ArchiveAsync(environment.WorkspacePath, ["out", "missing"], tar, Token);

            Assert.Equal(["the app"], _reporter.Text(0, LogStream.Stdout));
            Assert.Equal([("out", ""), ("out/report.txt", "made\n")], Read(tar).Select(e => (e.Name, e.Content)));
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    [RootFact]
    public async Task RestoredHomeFiles_BelongToTheStepsUser_WhoCanReadAndWriteThem()
    {
        var step = Step(0, "cat ~/.cache/x/deps/lib.txt; echo more > ~/.cache/x/deps/new.txt; echo again > ~/.cache/x/deps/lib.txt; id -u");
        var environment = Environment(Job(Workspace, [step]), isolated: true);
        Assert.Equal(JobSetup.Ready, await environment.PrepareAsync(Token));
        try
        {
            var account = environment.Account!;
            var home = environment.HomePath;
            Assert.StartsWith(_root.Combine("homes"), home, StringComparison.Ordinal);
            var cache = Path.Combine(home, ".cache", "x");
            await environment.ExtractAsync(cache, Write(FileEntry("deps/lib.txt", "restored\n")), Token);

            Assert.Equal(StepExit.Exited(0), await environment.RunStepAsync(step, Token));

            Assert.Equal(["restored", account.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)], _reporter.Text(0, LogStream.Stdout));
            Assert.Equal("more\n", await File.ReadAllTextAsync(Path.Combine(cache, "deps", "new.txt"), Token));
            foreach (var path in new[] { Path.Combine(home, ".cache"), cache, Path.Combine(cache, "deps"), Path.Combine(cache, "deps", "lib.txt") })
            {
                Assert.Equal((account.Uid, account.Gid), Owner(path));
            }
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    private static (uint Uid, uint Gid) Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u %g", path])
        {
            RedirectStandardOutput = true,
        })!;
        var said = stat.StandardOutput.ReadToEnd().Trim().Split(' ');
        stat.WaitForExit();
        return (uint.Parse(said[0], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(said[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
