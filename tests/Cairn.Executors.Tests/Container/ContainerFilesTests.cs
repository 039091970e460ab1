using System.Collections.Concurrent;
using System.Formats.Tar;
using Cairn.Core.Artifacts;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Executors.Container;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Shell.TarStreams;

namespace Cairn.Executors.Tests.Container;

/// <summary>Files in and out of a container job on a real engine (Podman serving the Docker API): through the archive
/// API outside the workspace, through the bind-mounted host folder inside it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ContainerFilesTests : IDisposable
{
    private readonly TempDirectory _workspace = new();
    private readonly RecordingJobReporter _reporter = new();
    private readonly DockerEngineClient _engine = new(DockerEndpoint.Parse(Engines.ContainerEngine ?? "unix:///nowhere"));
    private readonly string _owner = $"test-{Guid.NewGuid():N}";

    public void Dispose()
    {
        _engine.Dispose();
        _workspace.Dispose();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<ContainerJobEnvironment> PreparedAsync(params StepSpec[] steps)
    {
        // A cache under HOME, as a job that keeps one has: the environment learns the container's user before the first step.
        var job = Job(_workspace.Path, steps, image: Engines.TestImage) with
        {
            Files = new JobFiles(new UnusedStash(), [], null, [new CacheRule("deps", ["~/.cache"], [])]),
        };
        var environment = new ContainerJobEnvironment(_engine, job, _reporter, _owner,
            new ConcurrentDictionary<string, byte>(StringComparer.Ordinal), new ContainerExecutorOptions(), TimeProvider.System);
        var setup = await environment.PrepareAsync(Token);
        Assert.True(setup.IsReady, setup.Detail);
        return environment;
    }

    [ContainerEngineFact]
    public async Task ATarPutUnderHome_IsReadByAStep()
    {
        var step = Step(0, "echo \"$HOME\"; cat ~/.cache/x/deps/lib.txt; readlink ~/.cache/x/current; ls -ld ~/.cache/x/deps | cut -c1-10");
        var environment = await PreparedAsync(step);
        try
        {
            await environment.ExtractAsync($"{environment.HomePath}/.cache/x",
                Write(FolderEntry("deps"), FileEntry("deps/lib.txt", "restored\n"), LinkEntry("current", "deps")), Token);

            Assert.Equal(StepExit.Exited(0), await environment.RunStepAsync(step, Token));

            Assert.Equal([environment.HomePath, "restored", "deps", "drwxr-xr-x"], _reporter.Text(0, LogStream.Stdout));
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    [ContainerEngineFact]
    public async Task ExtractThroughTheEngine_RefusesALinkThatLeaves()
    {
        var environment = await PreparedAsync();
        try
        {
            var error = await Assert.ThrowsAsync<Executors.Shell.TarEntryRefusedException>(() =>
                environment.ExtractAsync("/root/.cache/y", Write(LinkEntry("etc", "../../../etc")), Token));

            Assert.Contains("'etc'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    [ContainerEngineFact]
    public async Task WhatAStepWroteUnderHome_ComesBackNamedRelativeToTheFolder()
    {
        var step = Step(0, "mkdir -p ~/.m2/repository/org && echo jar > ~/.m2/repository/org/a.jar && ln -s repository ~/.m2/repo && echo top > ~/notes.txt");
        var environment = await PreparedAsync(step);
        try
        {
            Assert.Equal(StepExit.Exited(0), await environment.RunStepAsync(step, Token));
            var some = new MemoryStream();
            var whole = new MemoryStream();

            await environment.ArchiveAsync(environment.HomePath, [".m2/repository", ".m2/repo", ".m2/repo/org", "missing"], some, Token);
            await environment.ArchiveAsync($"{environment.HomePath}/.m2", [""], whole, Token);

            Assert.Equal(
                [(TarEntryType.Directory, ".m2/repository", ""), (TarEntryType.Directory, ".m2/repository/org", ""),
                 (TarEntryType.RegularFile, ".m2/repository/org/a.jar", "jar\n"), (TarEntryType.SymbolicLink, ".m2/repo", "repository")],
                Read(some).Select(e => (e.Type, e.Name, e.Type == TarEntryType.SymbolicLink ? e.LinkName : e.Content)));
            Assert.Equal(["repo", "repository", "repository/org", "repository/org/a.jar"], Read(whole).Select(e => e.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    [ContainerEngineFact]
    public async Task AWorkspacePath_GoesThroughTheHostFolder()
    {
        var step = Step(0, "cat /workspace/dist/app.txt; echo made > /workspace/dist/out.txt");
        var environment = await PreparedAsync(step);
        try
        {
            Assert.Equal("/workspace", environment.WorkspacePath);
            await environment.ExtractAsync("/workspace/dist", Write(FileEntry("app.txt", "the app\n")), Token);
            Assert.Equal("the app\n", await File.ReadAllTextAsync(_workspace.Combine("dist", "app.txt"), Token));

            Assert.Equal(StepExit.Exited(0), await environment.RunStepAsync(step, Token));
            var tar = new MemoryStream();
            await environment.ArchiveAsync("/workspace", ["dist/out.txt"], tar, Token);

            Assert.Equal(["the app"], _reporter.Text(0, LogStream.Stdout));
            Assert.Equal([("dist/out.txt", "made\n")], Read(tar).Select(e => (e.Name, e.Content)));
        }
        finally
        {
            await environment.TearDownAsync(Token);
        }
    }

    private sealed class UnusedStash : IJobStash
    {
        public string? SaveScope => null;

        public Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
