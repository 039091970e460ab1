using System.Collections.Concurrent;
using System.ComponentModel;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;

namespace Cairn.Executors.Shell;

/// <summary>Runs each step as its own shell process on this host, in the job's workspace, one after another.</summary>
public sealed class ShellExecutor(ShellExecutorOptions options, TimeProvider time) : IExecutor
{
    private readonly Lazy<ShellCommand?> _shell = new(() => ShellCommand.Locate(options));
    private readonly ConcurrentDictionary<StepProcess, byte> _running = new();
    private StepGroupSentinel? _sentinel;

    public ShellExecutor()
        : this(new ShellExecutorOptions(), TimeProvider.System)
    {
    }

    public string Name => "shell";

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);

        if (job.Image is { } image)
        {
            reporter.Log(new LogLine(0, LogStream.System, time.GetUtcNow(),
                $"warning: the shell executor ignores image '{image}'; steps run on this host"));
        }

        JobSession? session;
        string? refusal;
        try
        {
            (session, refusal) = await JobSession.OpenAsync(job, options, _shell.Value, cancellationToken);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            var detail = $"the job's steps could not be set up: {error.Message}";
            reporter.Log(new LogLine(0, LogStream.System, time.GetUtcNow(), $"error: {detail}"));
            return JobOutcome.Failed(FailureClass.Infra, detail);
        }

        if (session is null)
        {
            reporter.Log(new LogLine(0, LogStream.System, time.GetUtcNow(), $"error: {refusal}"));
            return JobOutcome.Failed(FailureClass.Config, refusal!);
        }

        using (session)
        {
            return await RunStepsAsync(job, session, reporter, cancellationToken);
        }
    }

    private async Task<JobOutcome> RunStepsAsync(JobSpec job, JobSession session, IJobReporter reporter, CancellationToken cancellationToken)
    {
        using var jobTimeout = job.Timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        var ledger = new StepLedger();
        foreach (var step in job.Steps)
        {
            if (!ledger.Halted && cancellationToken.IsCancellationRequested)
            {
                ledger.Cancel();
            }
            else if (!ledger.Halted && jobTimeout.IsCancellationRequested)
            {
                ledger.Halt(FailureClass.Timeout, StepLedger.JobTimeoutDetail(job));
            }

            StepOutcome outcome;
            if (ledger.Halted)
            {
                outcome = StepLedger.Skipped();
            }
            else if (StepCondition.ShouldRun(job, step, ledger.AnyFailed, cancellationToken.IsCancellationRequested, out var invalid))
            {
                outcome = await RunStepAsync(job, session, step, reporter, ledger, cancellationToken, jobTimeout.Token);
            }
            else
            {
                outcome = invalid is null
                    ? StepLedger.Skipped()
                    : new StepOutcome(StepStatus.Failed, null, FailureClass.Config, null, null, $"step '{step.Name}' has an invalid condition: {invalid}");
            }

            ledger.Record(outcome);
            reporter.StepFinished(step, outcome);
        }

        return ledger.Verdict();
    }

    /// <summary>Kills the steps left running by any cairn on this host that died together with its sentinel (found by
    /// the owner records every executor keeps). Call once at start; returns how many processes were killed.</summary>
    public int SweepLeftovers() => StepOwnerRegistry.Sweep(options.StepOwnerDirectory ?? StepOwnerRegistry.DefaultDirectory);

    /// <summary>Kills every running step's process group at once (SIGKILL), skipping the grace period: for an
    /// impatient second Ctrl-C. The steps then end as their cancellation says, and the run still ends properly.</summary>
    public void KillAllNow()
    {
        foreach (var process in _running.Keys)
        {
            process.KillNow();
        }
    }

    private async Task<StepOutcome> RunStepAsync(
        JobSpec job, JobSession session, StepSpec step, IJobReporter reporter, StepLedger ledger, CancellationToken cancellationToken, CancellationToken jobTimeout)
    {
        var startedAt = time.GetUtcNow();
        reporter.StepStarted(step, startedAt);

        if (StartProblem(job) is { } problem)
        {
            return CouldNotStart(step, reporter, ledger, startedAt, problem);
        }

        using var stepTimeout = step.Timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, jobTimeout, stepTimeout.Token);

        StepProcess process;
        try
        {
            var environment = new Dictionary<string, string>(session.BaseEnvironment, StringComparer.Ordinal);
            foreach (var (name, value) in job.Env.Concat(step.Env))
            {
                environment[name] = value;
            }

            if (Sentinel is { } sentinel)
            {
                sentinel.EnsureRunning();
                environment[StepGroupSentinel.Variable] = sentinel.Token;
            }

            process = StepProcess.Start(_shell.Value!, step.Run, job.Workspace, environment, session.Account,
                (stream, text, continues) => reporter.Log(new LogLine(step.Index, stream, time.GetUtcNow(), text) { Continues = continues }), options, time);
        }
        catch (Exception error) when (error is Win32Exception or IOException or InvalidOperationException)
        {
            return CouldNotStart(step, reporter, ledger, startedAt, error.Message);
        }

        int? exitCode;
        using (process)
        {
            _running[process] = 0;
            try
            {
                exitCode = await process.RunToEndAsync(stop.Token);
            }
            finally
            {
                _running.TryRemove(process, out _);
            }
        }

        return ledger.Conclude(job, step, exitCode, cancellationToken.IsCancellationRequested, jobTimeout.IsCancellationRequested, startedAt, time.GetUtcNow());
    }

    private StepGroupSentinel? Sentinel =>
        options.KillStepsWithHost && _shell.Value is { OwnsSession: true } shell
            ? LazyInitializer.EnsureInitialized(ref _sentinel, () => new StepGroupSentinel(shell, options.StepOwnerDirectory))
            : null;

    private string? StartProblem(JobSpec job)
    {
        if (_shell.Value is null)
        {
            return "no shell found: neither bash nor sh is on the search path";
        }

        return Directory.Exists(job.Workspace) ? null : $"workspace directory '{job.Workspace}' does not exist";
    }

    private StepOutcome CouldNotStart(StepSpec step, IJobReporter reporter, StepLedger ledger, DateTimeOffset startedAt, string problem)
    {
        var detail = $"step '{step.Name}' could not start: {problem}";
        var now = time.GetUtcNow();
        reporter.Log(new LogLine(step.Index, LogStream.System, now, detail));
        ledger.Halt(FailureClass.Infra, detail);
        return new StepOutcome(StepStatus.Failed, null, FailureClass.Infra, startedAt, now, detail);
    }
}
