using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Agent.Adapters;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Agent;

/// <summary>An agent job on this host: its worktree on the job's branch, its stable HOME and state folder; step 0 runs
/// the agent CLI, the steps after it are the verify steps, run as any shell step in the same worktree.</summary>
/// <param name="sentinel">The watcher whose token every process of the job carries, so that it dies with this process.</param>
internal sealed class AgentJobEnvironment(
    JobSpec job, AgentSpec agent, IJobReporter reporter, AgentExecutorOptions options, TimeProvider time, Func<StepGroupSentinel?>? sentinel = null)
    : IJobEnvironment, IDisposable
{
    private readonly VerifyTail _reporter = new(reporter);
    private readonly string _folder = Path.Combine(
        options.Root, string.Create(CultureInfo.InvariantCulture, $"run-{job.RunId}"), string.Create(CultureInfo.InvariantCulture, $"job-{job.JobId}"));

    // What the agent and its verify steps reach, as the user steps run as: the worktree, the HOME, the prompt and role.
    private readonly string _work = Path.Combine(
        options.WorkRoot ?? options.Root, string.Create(CultureInfo.InvariantCulture, $"run-{job.RunId}"), string.Create(CultureInfo.InvariantCulture, $"job-{job.JobId}"));

    private AgentWorktree? _worktree;
    private ShellJobEnvironment? _verify;
    private AgentTranscript? _transcript;
    private string? _prompt;
    private string? _roleFile;
    private AgentReport? _last;

    private string Home => Path.Combine(_work, "home");

    public async Task<JobSetup> PrepareAsync(CancellationToken cancellationToken)
    {
        var (code, top, _) = await new AgentGit(job.Workspace).TryAsync(cancellationToken, "rev-parse", "--show-toplevel");
        if (!Directory.Exists(job.Workspace) || code != 0)
        {
            return JobSetup.NotStarted(FailureClass.Config, "agent jobs need a git repository");
        }

        try
        {
            AgentFolders.MakePassable(options.WorkRoot ?? options.Root, _work);
            Directory.CreateDirectory(_folder);
            Directory.CreateDirectory(Home);
            var repository = job.Repository is { Length: > 0 } name && !options.BranchesInWorkspace
                ? await AgentRepositories.PrepareAsync(options.Root, name, top.Trim(), agent.BaseSha, cancellationToken)
                : top.Trim();
            _worktree = new AgentWorktree(repository, Path.Combine(_work, "worktree"));
            await _worktree.PrepareAsync(agent, job.Attempt, cancellationToken);
            if (agent.Role is { Length: > 0 } role)
            {
                if (await _worktree.ReadRoleAsync(agent.BaseSha, role, cancellationToken) is not { } text)
                {
                    return JobSetup.NotStarted(FailureClass.Config, $"the agent's role '{role}' is not in the run's commit");
                }

                _roleFile = Path.Combine(_work, "role.md");
                await File.WriteAllTextAsync(_roleFile, text, cancellationToken);
            }

            _prompt = Path.Combine(_work, string.Create(CultureInfo.InvariantCulture, $"prompt-{job.Attempt}.md"));
            await File.WriteAllTextAsync(_prompt, AgentPrompt.Build(agent), cancellationToken);
            _transcript = new AgentTranscript(
                Path.Combine(_folder, string.Create(CultureInfo.InvariantCulture, $"attempt-{job.Attempt}.jsonl")), options.MaxTranscriptBytes);
        }
        catch (InvalidOperationException error)
        {
            return JobSetup.NotStarted(FailureClass.Infra, $"the agent's worktree could not be made: {error.Message}");
        }
        catch (IOException error)
        {
            return JobSetup.NotStarted(FailureClass.Infra, $"the agent's folder could not be made: {error.Message}");
        }

        _verify = new ShellJobEnvironment(
            job with { Workspace = _worktree.Path }, _reporter, options.Shell, ShellCommand.Locate(options.Shell), sentinel ?? (() => null),
            new ConcurrentDictionary<StepProcess, byte>(), time);
        var ready = await _verify.PrepareAsync(cancellationToken);
        if (ready.IsReady && _verify.Account is { } account)
        {
            // The agent runs as the steps do: its HOME (with the sessions of earlier attempts), prompt and role are theirs.
            foreach (var path in new[] { Home, _prompt!, _roleFile }.OfType<string>())
            {
                if (!await AgentFolders.GiveAsync(path, account, cancellationToken))
                {
                    return JobSetup.NotStarted(FailureClass.Infra, $"could not give {path} to user {account.Name}");
                }
            }
        }

        return ready;
    }

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Index > 0)
        {
            var exit = await _verify!.RunStepAsync(step, stop);
            if (exit.Kind == StepExitKind.Failed || exit is { Kind: StepExitKind.Exited, ExitCode: not 0 })
            {
                _reporter.Agent((_last ?? throw new InvalidOperationException("a verify step ran before the agent")) with { VerifyFailure = _reporter.Of(step) });
            }

            return exit;
        }

        var adapter = AgentAdapters.For(agent.Cli);
        if (options.Locate(agent.Cli, adapter.Program) is not { } program)
        {
            return StepExit.Failed(FailureClass.AgentPolicy, null, $"agent-policy: {adapter.Program} is not installed on this worker");
        }

        var session = agent.Resume?.SessionId ?? (adapter.ChoosesSessionId ? Guid.NewGuid().ToString() : null);
        var invocation = new AgentInvocation(
            await File.ReadAllTextAsync(_prompt!, stop), _prompt!, agent.Model, _roleFile, agent.AllowedTools, agent.DisallowedTools, agent.Limits,
            session, agent.Resume is not null, _worktree!.Path);
        var run = new AgentRun(adapter, agent, _reporter, options, time, _transcript!, _verify!.Account);
        if (adapter.ChoosesSessionId)
        {
            _reporter.Agent(new AgentReport(agent.Cli, agent.Model, session, AgentUsage.None, null, agent.Branch, null, _transcript!.Path, Ended: false));
        }

        Say(agent.Resume is null ? $"starting {adapter.Program} on {agent.Branch}" : $"resuming {adapter.Program} session {session} on {agent.Branch}");
        var result = await run.RunAsync(program, invocation, Environment(), step.Index, stop);
        string? head = null;
        IReadOnlyList<string> touched = [];
        try
        {
            head = await _worktree.CommitAsync(job.JobName, job.RunId, CancellationToken.None);
            touched = await _worktree.ProtectedChangesAsync(agent.BaseSha, Core.Pipelines.PublishDefaults.ProtectedPaths, CancellationToken.None);
        }
        catch (InvalidOperationException error)
        {
            Say($"warning: the agent's changes could not be committed: {error.Message}");
        }

        _last = run.Report(ended: true, head);
        _reporter.Agent(_last);
        if (result.Kind == StepExitKind.Exited && touched.Count > 0)
        {
            return StepExit.Failed(FailureClass.AgentPolicy, null, $"agent-policy: the change touches protected paths: {string.Join(", ", touched)}");
        }

        return result;
    }

    public async Task<string?> TearDownAsync(CancellationToken cancellationToken)
    {
        var left = _verify is null ? null : await _verify.TearDownAsync(cancellationToken);
        _transcript?.Dispose();
        try
        {
            if (_worktree is not null)
            {
                await _worktree.RemoveAsync(cancellationToken);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            left = $"the agent's worktree could not be removed: {error.Message}";
        }

        return left;
    }

    public void Dispose() => _transcript?.Dispose();

    /// <summary>What the CLI gets: PATH, its HOME, the locale, TERM=dumb and the job's own variables (CAIRN_*, its
    /// env and declared secrets); nothing else of the worker's.</summary>
    private Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = options.SearchPath ?? global::System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Home,
            ["LANG"] = global::System.Environment.GetEnvironmentVariable("LANG") is { Length: > 0 } lang ? lang : "C.UTF-8",
            ["TERM"] = "dumb",
        };
        if (global::System.Environment.GetEnvironmentVariable("LC_ALL") is { Length: > 0 } all)
        {
            env["LC_ALL"] = all;
        }

        if (agent.Cli == AgentCli.Claude)
        {
            // Claude Code retries its API ten times over about three minutes before it gives up; a few say the same.
            env["CLAUDE_CODE_MAX_RETRIES"] = "3";
        }

        foreach (var (name, value) in AgentGit.TrustFolder(_worktree!.Path))
        {
            env[name] = value;
        }

        foreach (var (name, value) in job.Env)
        {
            env[name] = value;
        }

        if (sentinel?.Invoke() is { } guard)
        {
            // Last, so that no job variable can take it away: the agent dies with this process, as a step does.
            guard.EnsureRunning();
            env[StepGroupSentinel.Variable] = guard.Token;
        }

        return env;
    }

    private void Say(string text) => _reporter.Log(new LogLine(0, LogStream.System, time.GetUtcNow(), text));
}
