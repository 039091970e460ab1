using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Text;
using Cairn.Core.Artifacts;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Kubernetes;
using static Cairn.Executors.Tests.Jobs;
using static Cairn.Executors.Tests.Kubernetes.KubernetesJobs;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>Files in and out of a job's pod (<see cref="IEnvironmentFiles"/> on the kubernetes environment) against the
/// stand-in API running the pod for real (<see cref="FakePodProcess"/>), its pods/exec over the WebSocket channel
/// protocol: the environment's methods in the order a job's phases call them.</summary>
public sealed class KubernetesFilesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_extracted_before_the_first_step_is_read_by_it_and_a_file_a_step_wrote_is_archived_with_relative_names()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        var reporter = new RecordingJobReporter();
        var steps = new[] { Step(0, "cat from-need/hello.txt; mkdir -p dist && echo built > dist/app.txt && echo log > out.log") };
        var job = WithFiles(Job(steps), needs: ["build"], artifacts: new ArtifactRule(["dist/**", "out.log"], ArtifactWhen.OnSuccess, null));
        await using var environment = Environment(api, job, reporter);

        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        Assert.StartsWith("/", environment.HomePath, StringComparison.Ordinal);
        Assert.Equal("/workspace", environment.WorkspacePath);
        using (var tar = Tar(("from-need/hello.txt", "hello from a need\n")))
        {
            await environment.ExtractAsync("/workspace", tar, Ct);
        }

        var pod = Assert.Single(api.Pods);
        Assert.DoesNotContain(pod.LogLines(), l => l.Contains(":start:0", StringComparison.Ordinal));
        var exit = await environment.RunStepAsync(steps[0], Ct);

        Assert.Equal(StepExitKind.Exited, exit.Kind);
        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(["hello from a need"], reporter.Text(0, LogStream.Stdout));
        using var archive = new MemoryStream();
        await environment.ArchiveAsync("/workspace", ["dist", "out.log", "not-made"], archive, Ct);
        var entries = Read(archive);
        Assert.Equal("built\n", entries["dist/app.txt"]);
        Assert.Equal("log\n", entries["out.log"]);
        Assert.All(entries.Keys, name => Assert.False(name.StartsWith('/') || name.StartsWith("./", StringComparison.Ordinal), name));
        Assert.DoesNotContain(entries.Keys, name => name.StartsWith("not-made", StringComparison.Ordinal));
        var done = pod.Marker("done");

        Assert.Null(await environment.TearDownAsync(Ct));
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the pod removed", cancellationToken: Ct);
        Assert.Equal(done, pod.LogLines()[^1]);
        Assert.DoesNotContain(pod.LogLines(), l => l.StartsWith("cairn:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_whole_directory_is_archived_with_hidden_files_and_a_missing_one_gives_an_empty_archive()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        var steps = new[] { Step(0, "mkdir -p cache/.hidden && echo h > cache/.hidden/x && echo v > cache/v") };
        var job = WithFiles(Job(steps), caches: [new CacheRule("k", ["cache"], [])]);
        await using var environment = Environment(api, job, new RecordingJobReporter());
        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        Assert.Equal(0, (await environment.RunStepAsync(steps[0], Ct)).ExitCode);

        using var whole = new MemoryStream();
        await environment.ArchiveAsync("/workspace/cache", [""], whole, Ct);
        using var none = new MemoryStream();
        await environment.ArchiveAsync("/workspace/nothing-here", [""], none, Ct);

        var entries = Read(whole);
        Assert.Equal("h\n", entries[".hidden/x"]);
        Assert.Equal("v\n", entries["v"]);
        Assert.Empty(Read(none));
        Assert.Null(await environment.TearDownAsync(Ct));
    }

    [Fact]
    public async Task Files_of_megabytes_go_through_in_both_directions_intact()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        var steps = new[] { Step(0, "cksum < in/big.bin > in.sum; head -c 3000000 /dev/urandom > out.bin; cksum < out.bin > out.sum") };
        var job = WithFiles(Job(steps), needs: ["build"], artifacts: new ArtifactRule(["out.bin"], ArtifactWhen.OnSuccess, null));
        await using var environment = Environment(api, job, new RecordingJobReporter());
        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        var big = new byte[5_000_000];
        new Random(7).NextBytes(big);
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "in/big.bin") { DataStream = new MemoryStream(big) });
        }

        stream.Position = 0;
        await environment.ExtractAsync("/workspace", stream, Ct);
        Assert.Equal(0, (await environment.RunStepAsync(steps[0], Ct)).ExitCode);
        using var archive = new MemoryStream();
        await environment.ArchiveAsync("/workspace", ["out.bin", "in.sum", "out.sum"], archive, Ct);

        archive.Position = 0;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(archive))
        {
            while (reader.GetNextEntry(copyData: true) is { DataStream: { } data } entry)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[entry.Name] = copy.ToArray();
            }
        }

        Assert.Equal(3_000_000, files["out.bin"].Length);
        Assert.Equal(Encoding.ASCII.GetString(files["out.sum"]), Cksum(files["out.bin"]));
        Assert.Equal(Encoding.ASCII.GetString(files["in.sum"]), Cksum(big));
        Assert.Null(await environment.TearDownAsync(Ct));
    }

    [Fact]
    public async Task A_failing_tar_gives_an_error_that_says_what_failed()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        var steps = new[] { Step(0, "true") };
        var job = WithFiles(Job(steps), needs: ["build"]);
        await using var environment = Environment(api, job, new RecordingJobReporter());
        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        using (var tar = Tar(("a-file", "x")))
        {
            await environment.ExtractAsync("/workspace", tar, Ct);
        }

        using var under = Tar(("b", "y"));
        var blocked = await Assert.ThrowsAsync<IOException>(() => environment.ExtractAsync("/workspace/a-file/below", under, Ct));
        using var garbage = new MemoryStream(Encoding.ASCII.GetBytes(new string('x', 4096)));
        var broken = await Assert.ThrowsAsync<IOException>(() => environment.ExtractAsync("/workspace/in", garbage, Ct));

        Assert.Contains("extracting into /workspace/a-file/below in the job's pod failed (exit code", blocked.Message, StringComparison.Ordinal);
        Assert.Contains("mkdir", blocked.Message, StringComparison.Ordinal);
        Assert.Contains("extracting into /workspace/in in the job's pod failed (exit code", broken.Message, StringComparison.Ordinal);
        Assert.Contains("tar", broken.Message, StringComparison.Ordinal);
        Assert.Equal(StepExitKind.Exited, (await environment.RunStepAsync(steps[0], Ct)).Kind);
        Assert.Null(await environment.TearDownAsync(Ct));
    }

    [Fact]
    public async Task A_cluster_that_refuses_exec_fails_the_job_as_infra_with_its_message()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        api.RefuseExecs("pods \"x\" is forbidden: User \"ci\" cannot create resource \"pods/exec\" in namespace \"ci\"");
        using var executor = Executor(api);
        var job = WithFiles(Job([Step(0, "echo never")]), needs: ["build"]);
        var reporter = new RecordingJobReporter();

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.Equal(JobStatus.Failed, outcome.Status);
        Assert.Equal(FailureClass.Infra, outcome.FailureClass);
        Assert.Contains("403", outcome.Detail, StringComparison.Ordinal);
        Assert.EndsWith("artifacts and caches need `create` on pods/exec in namespace ci", outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(reporter.Text(0, LogStream.Stdout));
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the pod removed", cancellationToken: Ct);
    }

    [Fact]
    public async Task An_image_without_tar_is_named_as_the_cause()
    {
        using var bin = new TempDirectory();
        File.CreateSymbolicLink(Path.Combine(bin.Path, "sh"), "/bin/sh");
        var wrapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var api = new FakeKubernetesApi
        {
            OnPodCreated = async (pod, ct) =>
            {
                var run = FakePodProcess.RunAsync(pod, ct);
                await Eventually.TrueAsync(() => pod.ExecStart is not null, "the job container running", cancellationToken: ct);
                var start = pod.ExecStart!;
                pod.ExecStart = command =>
                {
                    var info = start(command);
                    info.Environment["PATH"] = bin.Path;
                    return info;
                };
                wrapped.TrySetResult();
                await run;
            },
        };
        var steps = new[] { Step(0, "true") };
        var job = WithFiles(Job(steps), needs: ["build"]);
        await using var environment = Environment(api, job, new RecordingJobReporter());
        Assert.True((await environment.PrepareAsync(Ct)).IsReady);
        await wrapped.Task.WaitAsync(Ct);

        using var tar = Tar(("a", "x"));
        var error = await Assert.ThrowsAsync<IOException>(() => environment.ExtractAsync("/workspace", tar, Ct));

        Assert.Contains("the job's image has no tar", error.Message, StringComparison.Ordinal);
        Assert.Null(await environment.TearDownAsync(Ct));
    }

    [Fact]
    public async Task Jobs_that_move_files_run_through_the_executor_with_their_supervisor_released_before_and_after_the_steps()
    {
        await using var api = new FakeKubernetesApi { OnPodCreated = FakePodProcess.RunAsync };
        using var executor = Executor(api);
        var reporter = new RecordingJobReporter();
        var stash = new MemoryStash(("dist/input.txt", "from build"));
        var job = Job([Step(0, "cat dist/input.txt"), Step(1, "mkdir -p out && echo two > out/result.txt")]) with
        {
            Files = new JobFiles(stash, ["build"], new ArtifactRule(["out/**"], ArtifactWhen.Always, null), []),
        };

        var outcome = await executor.RunAsync(job, reporter, Ct);

        Assert.True(outcome.Status == JobStatus.Succeeded, string.Join("\n", reporter.Lines.Select(l => l.Text)));
        Assert.Equal(["from build"], reporter.Text(0, LogStream.Stdout));
        Assert.Equal("two\n", stash.Saved["out/result.txt"]);
        Assert.DoesNotContain("dist/input.txt", stash.Saved.Keys);
        var pod = Assert.Single(api.CreatedPods);
        var execs = pod.Execs.ToList();
        var released = execs.FindIndex(e => e.SequenceEqual(["touch", KubernetesManifests.RestoredFile]));
        var extracted = execs.FindIndex(e => e.Any(a => a.Contains("tar -x", StringComparison.Ordinal)));
        Assert.InRange(extracted, 0, released - 1);
        Assert.Equal(["touch", KubernetesManifests.ArchivedFile], pod.Execs[^1]);
        await Eventually.TrueAsync(() => api.Pods.Count == 0, "the pod removed", cancellationToken: Ct);
    }

    [Fact]
    public void Only_a_job_that_moves_files_gets_the_release_volume_and_the_supervisors_holds()
    {
        var plain = KubernetesManifests.Build(Job([Step(0, "true")]), ManifestJobs.Identity, new KubernetesExecutorOptions());
        var kept = KubernetesManifests.Build(WithFiles(Job([Step(0, "true")]), artifacts: new ArtifactRule(["a"], ArtifactWhen.OnSuccess, null)),
            ManifestJobs.Identity, new KubernetesExecutorOptions());
        var brought = KubernetesManifests.Build(WithFiles(Job([Step(0, "true")]), needs: ["x"]), ManifestJobs.Identity, new KubernetesExecutorOptions());

        Assert.DoesNotContain(plain.Pod.Spec.Volumes, v => v.Name == "cairn-files");
        Assert.DoesNotContain("c_hold", plain.Secret.StringData[SupervisorScript.SupervisorFile], StringComparison.Ordinal);
        Assert.Contains(kept.Pod.Spec.Volumes, v => v.Name == "cairn-files" && v.EmptyDir is not null);
        Assert.Contains(kept.Pod.Spec.Containers[0].VolumeMounts, m => m.MountPath == KubernetesManifests.FilesPath && m.ReadOnlyProperty != true);
        Assert.Contains("c_hold '/cairn-files/archived'", kept.Secret.StringData[SupervisorScript.SupervisorFile], StringComparison.Ordinal);
        Assert.DoesNotContain("c_hold '/cairn-files/restored'", kept.Secret.StringData[SupervisorScript.SupervisorFile], StringComparison.Ordinal);
        Assert.Contains("c_hold '/cairn-files/restored'", brought.Secret.StringData[SupervisorScript.SupervisorFile], StringComparison.Ordinal);
        Assert.DoesNotContain("c_hold '/cairn-files/archived'", brought.Secret.StringData[SupervisorScript.SupervisorFile], StringComparison.Ordinal);
        Assert.True(kept.Pod.Spec.ActiveDeadlineSeconds > plain.Pod.Spec.ActiveDeadlineSeconds);
    }

    internal static JobSpec WithFiles(JobSpec job, IReadOnlyList<string>? needs = null, ArtifactRule? artifacts = null, IReadOnlyList<CacheRule>? caches = null) =>
        job with { Files = new JobFiles(new UnusedStash(), needs ?? [], artifacts, caches ?? []) };

    private static KubernetesJobEnvironment Environment(FakeKubernetesApi api, JobSpec job, RecordingJobReporter reporter)
    {
        var options = new KubernetesExecutorOptions { KubeconfigPath = api.KubeconfigPath, OwnerId = "worker-1", StopGrace = TimeSpan.FromSeconds(3) };
        var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
        return new KubernetesJobEnvironment(client, job, reporter, options, "worker-1", new ConcurrentDictionary<string, byte>(), TimeProvider.System);
    }

    internal static MemoryStream Tar(params (string Name, string Text)[] files)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        stream.Position = 0;
        return stream;
    }

    // What `cksum < FILE` prints for these bytes, computed by the host's cksum.
    private static string Cksum(byte[] bytes)
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "f");
        File.WriteAllBytes(path, bytes);
        var start = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("cksum < \"$1\"");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(path);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    internal static Dictionary<string, string?> Read(MemoryStream archive)
    {
        archive.Position = 0;
        var entries = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var reader = new TarReader(archive);
        while (reader.GetNextEntry() is { } entry)
        {
            entries[entry.Name] = entry.DataStream is { } data ? new StreamReader(data).ReadToEnd() : null;
        }

        return entries;
    }

    // Nothing here reaches the stash: the environment only moves tar streams.
    /// <summary>A stash that hands over one needed set, <c>build</c>'s, and keeps in memory what the job saves.</summary>
    private sealed class MemoryStash(params (string Name, string Text)[] needed) : IJobStash
    {
        public Dictionary<string, string> Saved { get; } = new(StringComparer.Ordinal);

        public string? SaveScope => null;

        public Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ArtifactSet>>(needs.Contains("build") ? [new ArtifactSet(1, "build", needed.Length, 10)] : []);

        public Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken) => Task.FromResult<Stream>(Tar(needed));

        public async Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken)
        {
            await using var reader = new System.Formats.Tar.TarReader(tar, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
            {
                Saved[entry.Name] = entry.DataStream is null ? "" : await new StreamReader(entry.DataStream).ReadToEndAsync(cancellationToken);
            }

            return new ArtifactSummary(Saved.Count, Saved.Values.Sum(v => (long)v.Length), DateTimeOffset.UtcNow.AddDays(1));
        }

        public Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken) => Task.FromResult<CacheHit?>(null);

        public Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken) => Task.FromResult<CacheSaved?>(null);
    }

    private sealed class UnusedStash : IJobStash
    {
        public Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public string? SaveScope => null;

        public Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
