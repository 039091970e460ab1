using System.Diagnostics;
using System.Text;
using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Agent;

/// <summary>One start of an agent CLI: its own process group, stdin closed, every stdout line kept raw in the transcript
/// and read by the adapter into log lines and usage, and Cairn's watchdogs (first output, idle, after the result, wall
/// clock, turns and budget) that end it with a detail naming which.</summary>
/// <param name="account">The user the CLI runs as (the one steps run as on a server running as root); null for this
/// process's own.</param>
internal sealed class AgentRun(
    IAgentAdapter adapter, AgentSpec agent, IJobReporter reporter, AgentExecutorOptions options, TimeProvider time, AgentTranscript transcript,
    UnixAccount? account = null)
{
    private const int MaxAssembledLine = 8 << 20;

    /// <summary>How many API retries in a row, with nothing else said between them, end the start: a CLI that cannot
    /// reach its model would otherwise wait out its own retries (Claude Code's take about three minutes).</summary>
    public const int MaxRetriesInARow = 5;
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly StringBuilder _partial = new();
    private DateTimeOffset _startedAt;
    private DateTimeOffset? _lastOutput;
    private DateTimeOffset? _resultAt;
    private DateTimeOffset _lastReport;
    private AgentEvent.Result? _result;
    private bool _anyProtocol;
    private string? _lastStderr;
    private int _retriesInARow;
    private string? _apiFailing;
    private (FailureClass Class, string Detail)? _fired;

    public string? SessionId { get; private set; }

    public string? Model { get; private set; } = agent.Model;

    public AgentUsage Usage { get; private set; } = AgentUsage.None;

    public string? ResultText => _result?.Final;

    public async Task<StepExit> RunAsync(string program, AgentInvocation invocation, IReadOnlyDictionary<string, string> environment, int stepIndex, CancellationToken stop)
    {
        SessionId = invocation.SessionId;
        var shell = ShellCommand.Locate(options.Shell);
        // setsid makes the CLI lead its own process group; setpriv drops to the steps' user in place, with no new
        // privileges, as a shell step does (ShellCommand.StartInfo): the agent reads nothing the server's user owns.
        var argv = new List<string>();
        if (shell?.SetsidPath is { } setsid)
        {
            argv.Add(setsid);
        }

        if (account is not null)
        {
            if (shell?.SetprivPath is not { } setpriv)
            {
                return StepExit.Failed(FailureClass.AgentPolicy, null, "agent-policy: the agent must run as an unprivileged user, but setpriv (util-linux) is not installed");
            }

            argv.AddRange([
                setpriv,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--reuid={account.Uid}"),
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--regid={account.Gid}"),
                "--init-groups", "--no-new-privs", "--inh-caps=-all",
            ]);
        }

        argv.Add(program);
        var info = new ProcessStartInfo
        {
            FileName = argv[0],
            WorkingDirectory = invocation.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in adapter.Arguments(invocation))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        _startedAt = _lastReport = time.GetUtcNow();
        using var watched = CancellationTokenSource.CreateLinkedTokenSource(stop);
        StepProcess process;
        try
        {
            process = StepProcess.StartProgram(info, shell?.SetsidPath is not null, (stream, text, continues) => OnOutput(stream, text, continues, stepIndex), options.Shell, time);
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return StepExit.Failed(FailureClass.AgentPolicy, null, $"agent-policy: {adapter.Program} could not start: {error.Message}");
        }

        using (process)
        {
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(watched.Token);
            var watchdog = WatchAsync(watched, watching.Token);
            var exitCode = await process.RunToEndAsync(watched.Token);
            await watching.CancelAsync();
            await watchdog;
            FlushPartial(stepIndex);
            return Verdict(exitCode, stop.IsCancellationRequested);
        }
    }

    private StepExit Verdict(int? exitCode, bool stopped)
    {
        lock (_gate)
        {
            if (_fired is { } fired)
            {
                return StepExit.Failed(fired.Class, exitCode, fired.Detail);
            }

            if (stopped || exitCode is null)
            {
                return StepExit.Stopped;
            }

            var detail = _result?.Detail is { Length: > 0 } said ? $": {said}" : "";
            return _result?.Kind switch
            {
                AgentResultKind.Success => StepExit.Exited(0),
                AgentResultKind.LimitReached => StepExit.Failed(FailureClass.AgentLimit, exitCode, $"agent-limit{detail}"),
                AgentResultKind.ApiError => StepExit.Failed(FailureClass.AgentError, exitCode, $"agent-error{detail}"),
                AgentResultKind.Refused => StepExit.Failed(FailureClass.AgentPolicy, exitCode, $"agent-policy{detail}"),
                _ when !_anyProtocol && _lastOutput is not null => StepExit.Failed(FailureClass.AgentError, exitCode, "agent-error: the agent's output was not its protocol"),
                _ when exitCode != 0 => StepExit.Failed(FailureClass.AgentError, exitCode,
                    $"agent-error: exited with code {exitCode} without a result{(_lastStderr is { } last ? $": {last}" : "")}"),
                _ => StepExit.Failed(FailureClass.AgentError, exitCode, "agent-error: exited without a result"),
            };
        }
    }

    private async Task WatchAsync(CancellationTokenSource kill, CancellationToken watching)
    {
        try
        {
            while (!watching.IsCancellationRequested)
            {
                await Task.Delay(options.WatchInterval, time, watching);
                if (Check(time.GetUtcNow()) is { } fired)
                {
                    lock (_gate)
                    {
                        _fired ??= fired;
                    }

                    await kill.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private (FailureClass, string)? Check(DateTimeOffset now)
    {
        lock (_gate)
        {
            var limits = agent.Limits;
            if (_apiFailing is { } failing)
            {
                return (FailureClass.AgentError, failing);
            }

            if (_resultAt is { } resultAt && now - resultAt >= options.AfterResultGrace)
            {
                return (FailureClass.AgentError, $"agent-error: still running {Say(options.AfterResultGrace)} after its result (after-result grace)");
            }

            if (limits.Timeout is { } wall && now - _startedAt >= wall)
            {
                return (FailureClass.AgentLimit, $"agent-limit: ran for {Say(wall)} (timeout)");
            }

            if (_lastOutput is null && now - _startedAt >= options.FirstOutput)
            {
                return (FailureClass.AgentError, $"agent-error: no output within {Say(options.FirstOutput)} of its start (first output)");
            }

            if (limits.IdleTimeout is { } idle && _lastOutput is { } last && now - last >= idle)
            {
                return (FailureClass.AgentError, $"agent-error: no output for {Say(idle)} (idle-timeout)");
            }

            if (_result is null && limits.MaxTurns is { } maxTurns && Usage.Turns > maxTurns)
            {
                return (FailureClass.AgentLimit, $"agent-limit: {Usage.Turns} turns, more than {maxTurns} (max-turns)");
            }

            if (_result is null && limits.BudgetUsd is { } budget && Usage.CostUsd > budget)
            {
                return (FailureClass.AgentLimit, $"agent-limit: ${Usage.CostUsd:0.00} spent, more than ${budget:0.00} (budget)");
            }

            return null;
        }
    }

    private static string Say(TimeSpan span) => span < TimeSpan.FromSeconds(1)
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0}ms")
        : Duration.Format(span);

    private void OnOutput(LogStream stream, string text, bool continues, int stepIndex)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _lastOutput = now;
        }

        if (stream == LogStream.Stderr)
        {
            reporter.Log(new LogLine(stepIndex, LogStream.Stderr, now, text) { Continues = continues });
            if (!continues && text.Trim() is { Length: > 0 } said)
            {
                lock (_gate)
                {
                    _lastStderr = said;
                }
            }

            return;
        }

        string line;
        lock (_gate)
        {
            if (_partial.Length + text.Length <= MaxAssembledLine)
            {
                _partial.Append(text);
            }

            if (continues)
            {
                return;
            }

            line = _partial.ToString();
            _partial.Clear();
        }

        OnLine(line, stepIndex, now);
    }

    private void FlushPartial(int stepIndex)
    {
        string line;
        lock (_gate)
        {
            if (_partial.Length == 0)
            {
                return;
            }

            line = _partial.ToString();
            _partial.Clear();
        }

        OnLine(line, stepIndex, time.GetUtcNow());
    }

    private void OnLine(string line, int stepIndex, DateTimeOffset now)
    {
        transcript.Append(line);
        foreach (var found in adapter.Parse(line))
        {
            lock (_gate)
            {
                switch (found)
                {
                    case AgentEvent.Session session:
                        SessionId = session.SessionId;
                        Model = session.Model ?? Model;
                        break;
                    case AgentEvent.Progress progress:
                        Usage = progress.Usage;
                        break;
                    case AgentEvent.Result result:
                        _result = result;
                        _resultAt = now;
                        Usage = result.Usage;
                        break;
                    case AgentEvent.Retry retry:
                        if (++_retriesInARow >= MaxRetriesInARow && _result is null)
                        {
                            _apiFailing ??= $"agent-error: the model's API failed {_retriesInARow} times in a row: {retry.Reason}";
                        }

                        break;
                }

                if (found is not (AgentEvent.Retry or AgentEvent.Malformed or AgentEvent.Session))
                {
                    _retriesInARow = 0;
                }

                _anyProtocol |= found is not AgentEvent.Malformed;
            }

            foreach (var text in AgentLog.Lines(found))
            {
                reporter.Log(new LogLine(stepIndex, LogStream.Stdout, now, text));
            }

            if (found is AgentEvent.Session || (found is AgentEvent.Progress && now - _lastReport >= ReportEvery))
            {
                _lastReport = now;
                reporter.Agent(Report(ended: false, head: null));
            }
        }
    }

    public AgentReport Report(bool ended, string? head) =>
        new(adapter.Cli, Model, SessionId, Usage, _result?.Final ?? _result?.Detail, agent.Branch, head, transcript.Path, ended);
}
