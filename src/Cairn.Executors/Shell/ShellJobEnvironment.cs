using System.Collections.Concurrent;
using System.ComponentModel;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Executors.Shell;

/// <summary>One job on this host: its session (the user steps run as, a fresh HOME) and each step a shell process in
/// its own process group, killed whole when stopped. Files move in and out of the workspace and the steps' HOME on this
/// host (<see cref="HostDirectoryFiles"/>), given to the steps' user when they run as another.</summary>
internal sealed class ShellJobEnvironment(
    JobSpec job,
    IJobReporter reporter,
    ShellExecutorOptions options,
    ShellCommand? shell,
    Func<StepGroupSentinel?> sentinel,
    ConcurrentDictionary<StepProcess, byte> running,
    TimeProvider time) : IJobEnvironment, IEnvironmentFiles
{
    private JobSession? _session;

    /// <summary>The user the job's steps run as, once prepared; null for this process's own.</summary>
    internal UnixAccount? Account => _session?.Account;

    public string WorkspacePath => Path.GetFullPath(job.Workspace);

    /// <summary>The HOME the steps see: the job's own variable, else the session's, else this process's user's.</summary>
    public string HomePath =>
        job.Env.TryGetValue("HOME", out var home) || (_session?.BaseEnvironment.TryGetValue("HOME", out home) ?? false)
            ? home!
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public async Task<JobSetup> PrepareAsync(CancellationToken cancellationToken)
    {
        if (job.Image is { } image)
        {
            reporter.Log(new LogLine(0, LogStream.System, time.GetUtcNow(),
                $"warning: the shell executor ignores image '{image}'; steps run on this host"));
        }

        string? refusal;
        try
        {
            (_session, refusal) = await JobSession.OpenAsync(job, options, shell, cancellationToken);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or Win32Exception)
        {
            return JobSetup.NotStarted(FailureClass.Infra, $"the job's steps could not be set up: {error.Message}");
        }

        return _session is null ? JobSetup.NotStarted(FailureClass.Config, refusal!) : JobSetup.Ready;
    }

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (StartProblem() is { } problem)
        {
            return StepExit.NotStarted(problem);
        }

        StepProcess process;
        try
        {
            var environment = new Dictionary<string, string>(_session!.BaseEnvironment, StringComparer.Ordinal);
            foreach (var (name, value) in job.Env.Concat(step.Env))
            {
                environment[name] = value;
            }

            if (sentinel() is { } guard)
            {
                guard.EnsureRunning();
                environment[StepGroupSentinel.Variable] = guard.Token;
            }

            process = StepProcess.Start(shell!, step.Run, job.Workspace, environment, _session.Account,
                (stream, text, continues) => reporter.Log(new LogLine(step.Index, stream, time.GetUtcNow(), text) { Continues = continues }), options, time);
        }
        catch (Exception error) when (error is Win32Exception or IOException or InvalidOperationException)
        {
            return StepExit.NotStarted(error.Message);
        }

        using (process)
        {
            running[process] = 0;
            try
            {
                return await process.RunToEndAsync(stop) is { } exitCode ? StepExit.Exited(exitCode) : StepExit.Stopped;
            }
            finally
            {
                running.TryRemove(process, out _);
            }
        }
    }

    public Task<string?> TearDownAsync(CancellationToken cancellationToken)
    {
        _session?.Dispose();
        _session = null;
        return Task.FromResult<string?>(null);
    }

    public Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken) =>
        Files().ExtractAsync(directory, tar, cancellationToken);

    public Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken) =>
        Files().ArchiveAsync(directory, subpaths, destination, cancellationToken);

    private HostDirectoryFiles Files() => new HostDirectoryFiles([WorkspacePath, HomePath], _session?.Account);

    private string? StartProblem()
    {
        if (shell is null)
        {
            return "no shell found: neither bash nor sh is on the search path";
        }

        return Directory.Exists(job.Workspace) ? null : $"workspace directory '{job.Workspace}' does not exist";
    }
}
