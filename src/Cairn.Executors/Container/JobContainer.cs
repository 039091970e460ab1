using System.Collections.Concurrent;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Container;

/// <summary>Everything one job has on the engine: its network and service containers (when it has services) and
/// the long-lived container its steps run in as execs. Remove it when the job ends, whatever happened.</summary>
internal sealed class JobContainer(
    DockerEngineClient engine,
    JobSpec job,
    string image,
    string owner,
    ConcurrentDictionary<string, byte> live,
    ContainerExecutorOptions options,
    TimeProvider time,
    ImageShells? shells = null)
{
    private const int ReadBufferSize = 16 * 1024;
    private static readonly string[] Bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"];
    private static readonly string[] Sh = ["sh", "-e", "-c"];
    private static readonly string[] BashPaths = ["/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"];
    private static readonly TimeSpan ExitCodePoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ExitCodeWait = TimeSpan.FromSeconds(10);

    /// <summary>The exit code of a process killed by SIGKILL, as the memory limit kills it.</summary>
    private const int KilledExitCode = 137;

    /// <summary>Where the container's memory cgroup counts its OOM kills (<c>oom_kill N</c>): cgroup v2, then v1.</summary>
    private const string OomCounters = "cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null; true";

    private readonly ImageShells _shells = shells ?? new ImageShells();
    private readonly List<string> _services = [];

    /// <summary>Containers of the job that are no longer its running container and still to be removed.</summary>
    private readonly List<string> _killed = [];
    private string? _network;
    private string? _container;
    private IReadOnlyList<string> _shell = Sh;
    private long _oomKills;

    /// <summary>The job's container, while it runs.</summary>
    public string? Id => _container;

    /// <summary>True once the job's container was killed (a step timed out) and the next step needs a fresh one.</summary>
    public bool NeedsFreshContainer => _container is null;

    /// <summary>Pulls what is missing, starts the services on their own network, then the job's container, and
    /// decides once which shell runs the steps. Throws <see cref="ContainerEngineException"/> saying what failed.</summary>
    public async Task StartAsync(Action<string> say, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(job.Workspace))
        {
            throw new ContainerEngineException(null, $"workspace directory '{job.Workspace}' does not exist");
        }

        var imageId = await EnsureImageAsync(image, say, cancellationToken);
        if (job.Services.Count > 0)
        {
            await StartServicesAsync(say, cancellationToken);
        }

        await CreateJobContainerAsync(cancellationToken);
        if (_shells.HasBash(imageId) is not { } hasBash)
        {
            hasBash = await HasBashAsync(cancellationToken);
            _shells.Remember(imageId, hasBash);
        }

        _shell = hasBash ? Bash : Sh;
    }

    /// <summary>Replaces a container killed by a step's timeout with a fresh one from the same image.</summary>
    public Task RecreateAsync(CancellationToken cancellationToken) => CreateJobContainerAsync(cancellationToken);

    /// <summary>Runs a script as an exec in the job's container, its output sent line by line as it comes. The exit
    /// code, or null when <paramref name="stop"/> fired: then the container has been killed and removed.</summary>
    public Task<int?> RunScriptAsync(string script, IReadOnlyDictionary<string, string> env, Action<LogStream, string, bool> onLine, CancellationToken stop) =>
        ExecAsync(ContainerRequests.Exec(_shell, script, env), onLine, stop);

    /// <summary>Runs a command (no shell between) in the job's container as its user, and returns its exit code and
    /// standard output.</summary>
    public async Task<(int ExitCode, string Output)> CommandAsync(IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (_container is null)
        {
            throw new ContainerEngineException(null, "the job's container is not running");
        }

        var output = new System.Text.StringBuilder();
        var code = await ExecAsync(new ExecCreateRequest(command, [], "/"), (stream, text, continues) =>
        {
            if (stream == LogStream.Stdout)
            {
                output.Append(text).Append(continues ? "" : "\n");
            }
        }, cancellationToken, killWhenStopped: false);
        cancellationToken.ThrowIfCancellationRequested();
        return (code ?? -1, output.ToString());
    }

    /// <summary>Whether the step that just ended with <paramref name="exitCode"/> was killed by the job's memory limit.
    /// The engine kills an exec's process in the container's cgroup without marking the container (State.OOMKilled
    /// stays false while its own process lives), so the cgroup's own count of OOM kills is read: one more than the last
    /// read means this step's. Only a SIGKILL exit under a memory limit is looked at; a failed read says no.</summary>
    public async Task<bool> KilledByMemoryLimitAsync(int exitCode)
    {
        if (exitCode != KilledExitCode || job.Resources?.MemoryBytes is null || _container is not { } id)
        {
            return false;
        }

        using var limit = new CancellationTokenSource(options.CleanupTimeout, time);
        var cancellationToken = limit.Token;
        try
        {
            if ((await engine.InspectContainerAsync(id, cancellationToken)).State is { OOMKilled: true })
            {
                return true;
            }

            var said = new System.Text.StringBuilder();
            await ExecAsync(ContainerRequests.Exec(Sh, OomCounters, new Dictionary<string, string>()), (stream, text, _) =>
            {
                if (stream == LogStream.Stdout)
                {
                    said.AppendLine(text);
                }
            }, cancellationToken, killWhenStopped: false);
            var kills = OomKillCount(said.ToString());
            if (kills > _oomKills)
            {
                _oomKills = kills;
                return true;
            }

            return false;
        }
        catch (Exception error) when (error is ContainerEngineException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The <c>oom_kill</c> count in cgroup memory counters (memory.events or memory.oom_control); 0 without one.</summary>
    internal static long OomKillCount(string counters)
    {
        foreach (var line in counters.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["oom_kill", var count] && long.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var kills))
            {
                return kills;
            }
        }

        return 0;
    }

    /// <summary>Kills and removes the job's container at once; services and network stay until <see cref="RemoveAsync"/>,
    /// which also retries a removal that failed here. Never throws: it runs on the way out of a stopped step.</summary>
    public async Task KillAsync()
    {
        if (_container is not { } id)
        {
            return;
        }

        _container = null;
        using var limit = new CancellationTokenSource(options.CleanupTimeout, time);
        try
        {
            await engine.KillContainerAsync(id, limit.Token);
            await engine.RemoveContainerAsync(id, limit.Token);
            live.TryRemove(id, out _);
        }
        catch (Exception error) when (error is ContainerEngineException or OperationCanceledException)
        {
            _killed.Add(id);
        }
    }

    /// <summary>Freezes whatever still runs in the job's container (a process a step left in the background), so nothing
    /// of the job runs once its outcome is known, even while the removal is still to come. True when nothing runs in it
    /// any more: frozen, or already gone or stopped; false when the engine could not say so.</summary>
    public async Task<bool> FreezeAsync()
    {
        if (_container is not { } id)
        {
            return true;
        }

        using var limit = new CancellationTokenSource(options.CleanupTimeout, time);
        try
        {
            await engine.PauseContainerAsync(id, limit.Token);
            return true;
        }
        catch (Exception error) when (error is ContainerEngineException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Removes the job's container, its services and its network. Never cancelled by the job's token:
    /// a cleanup stopped halfway would leave containers behind. Returns what could not be removed, if anything; a
    /// second call tries that again.</summary>
    public async Task<string?> RemoveAsync()
    {
        using var limit = new CancellationTokenSource(options.CleanupTimeout, time);
        var ids = _services.Concat(_killed).ToList();
        if (_container is { } container)
        {
            ids.Add(container);
        }

        _container = null;
        _services.Clear();
        _killed.Clear();
        var problems = new List<string>();
        var removals = ids.Select(async id =>
        {
            try
            {
                await engine.RemoveContainerAsync(id, limit.Token);
                live.TryRemove(id, out _);
            }
            catch (Exception error) when (error is ContainerEngineException or OperationCanceledException)
            {
                lock (problems)
                {
                    problems.Add($"container {id[..Math.Min(12, id.Length)]}: {error.Message}");
                    _killed.Add(id);
                }
            }
        });
        await Task.WhenAll(removals);

        if (_network is { } network)
        {
            try
            {
                await engine.RemoveNetworkAsync(network, limit.Token);
                live.TryRemove(network, out _);
                _network = null;
            }
            catch (Exception error) when (error is ContainerEngineException or OperationCanceledException)
            {
                problems.Add($"network {network}: {error.Message}");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>The id of the image, pulled first when the engine does not have it.</summary>
    private async Task<string> EnsureImageAsync(string reference, Action<string> say, CancellationToken cancellationToken)
    {
        if (!ImageReference.IsWellFormed(reference))
        {
            throw new ContainerEngineException(null, $"'{reference}' is not an image reference");
        }

        if (await engine.ImageIdAsync(reference, cancellationToken) is { } id)
        {
            return id;
        }

        say($"pulling image '{reference}'");
        try
        {
            await engine.PullImageAsync(reference, cancellationToken);
        }
        catch (ContainerEngineException error) when (error is not EngineUnreachableException)
        {
            throw new ContainerEngineException(error.Status, $"image '{reference}' could not be pulled: {error.Message}", error);
        }

        return await engine.ImageIdAsync(reference, cancellationToken)
            ?? throw new ContainerEngineException(null, $"image '{reference}' was pulled but the engine does not find it");
    }

    private async Task StartServicesAsync(Action<string> say, CancellationToken cancellationToken)
    {
        var name = ContainerRequests.Name(job, "net");
        await engine.CreateNetworkAsync(ContainerRequests.Network(job, owner, name), cancellationToken);
        _network = name;
        live[name] = 0;

        foreach (var service in job.Services)
        {
            try
            {
                await EnsureImageAsync(service.Image, say, cancellationToken);
                var id = await engine.CreateContainerAsync(
                    ContainerRequests.Name(job, service.Name), ContainerRequests.Service(job, service, owner, name), cancellationToken);
                _services.Add(id);
                live[id] = 0;
                await engine.StartContainerAsync(id, cancellationToken);
                say($"service '{service.Name}' started ({service.Image})");
            }
            catch (ContainerEngineException error) when (error is not EngineUnreachableException)
            {
                throw new ContainerEngineException(error.Status, $"service '{service.Name}' could not start: {error.Message}", error);
            }
        }
    }

    private async Task CreateJobContainerAsync(CancellationToken cancellationToken)
    {
        var request = ContainerRequests.JobContainer(job, image, owner, _network, options.PassEnv);
        var id = await engine.CreateContainerAsync(ContainerRequests.Name(job), request, cancellationToken);
        _container = id;
        _oomKills = 0;
        live[id] = 0;
        await engine.StartContainerAsync(id, cancellationToken);
    }

    /// <summary>Looks for bash where images put it. A file check costs the engine a few milliseconds where asking a
    /// shell inside (an exec) costs a process start.</summary>
    private async Task<bool> HasBashAsync(CancellationToken cancellationToken)
    {
        foreach (var path in BashPaths)
        {
            if (await engine.PathExistsAsync(_container!, path, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<int?> ExecAsync(ExecCreateRequest request, Action<LogStream, string, bool> onLine, CancellationToken stop, bool killWhenStopped = true)
    {
        var stdout = new LineSplitter((line, continues) => onLine(LogStream.Stdout, line, continues));
        var stderr = new LineSplitter((line, continues) => onLine(LogStream.Stderr, line, continues));
        var frames = new FrameDemultiplexer((stream, bytes) => (stream == LogStream.Stderr ? stderr : stdout).Write(bytes));
        try
        {
            var execId = await engine.CreateExecAsync(_container!, request, stop);
            using (var response = await engine.StartExecAsync(execId, stop))
            {
                await using var body = await response.Content.ReadAsStreamAsync(stop);
                var buffer = new byte[ReadBufferSize];
                int read;
                while ((read = await body.ReadAsync(buffer, stop)) > 0)
                {
                    frames.Write(buffer.AsSpan(0, read));
                }
            }

            stdout.Flush();
            stderr.Flush();
            return await ExitCodeAsync(execId, stop);
        }
        catch (Exception error) when (stop.IsCancellationRequested && error is OperationCanceledException or IOException or HttpRequestException)
        {
            stdout.Flush();
            stderr.Flush();
            if (killWhenStopped)
            {
                await KillAsync();
            }

            return null;
        }
        catch (IOException error)
        {
            throw new ContainerEngineException(null, $"the container engine stopped sending the step's output: {error.Message}", error);
        }
    }

    private async Task<int> ExitCodeAsync(string execId, CancellationToken cancellationToken)
    {
        // The output ends a moment before the engine records the exit code.
        var clock = time.GetTimestamp();
        while (time.GetElapsedTime(clock) < ExitCodeWait)
        {
            var exec = await engine.InspectExecAsync(execId, cancellationToken);
            if (!exec.Running && exec.ExitCode is { } code)
            {
                return code;
            }

            await Task.Delay(ExitCodePoll, time, cancellationToken);
        }

        throw new ContainerEngineException(null, $"the container engine never reported how exec {execId[..Math.Min(12, execId.Length)]} ended");
    }
}
