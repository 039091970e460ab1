using System.Globalization;
using System.Threading.Channels;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Cli.Output;

/// <summary>Prints a local run as it happens: each log line prefixed with its job, a line when each step starts and
/// ends, every one through <see cref="TerminalText"/>. Workers only enqueue; one printer task writes, so a slow
/// terminal never stalls a job.</summary>
internal sealed class ConsoleRunObserver : IRunObserver, IAsyncDisposable
{
    private static readonly string[] Palette = ["36", "35", "33", "32", "34", "96", "95", "93"];

    private readonly TextWriter _writer;
    private readonly bool _color;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, string> _jobColors = new(StringComparer.Ordinal);
    private readonly Lock _colorGate = new();
    private readonly Task _printer;

    public ConsoleRunObserver(TextWriter writer, bool color)
    {
        // Job output and step names are the pipeline author's: no control sequence of theirs reaches the terminal.
        _writer = writer as TerminalWriter ?? new TerminalWriter(writer, color);
        _color = color;
        _printer = Task.Run(PrintAsync);
    }

    public void JobStarted(JobRecord job) =>
        Emit(job, Paint("1", job.Attempt > 1 ? $"job started (attempt {job.Attempt})" : "job started"));

    public void StepStarted(JobRecord job, StepSpec step, DateTimeOffset at) => Emit(job, Paint("1", $"==> {step.Name}"));

    public void Log(JobRecord job, StoredLogLine line)
    {
        var text = line.Stream == LogStream.System ? Paint("2", line.Text) : line.Text;
        Emit(job, text);
    }

    public void StepFinished(JobRecord job, StepSpec step, StepOutcome outcome)
    {
        var took = outcome is { StartedAt: { } s, FinishedAt: { } f } ? $" in {Durations.Short(f - s)}" : "";
        var text = outcome.Status switch
        {
            StepStatus.Succeeded => Paint("32", $"<== {step.Name}: succeeded{took}"),
            StepStatus.Skipped => Paint("2", $"<== {step.Name}: skipped"),
            StepStatus.Cancelled => Paint("33", $"<== {step.Name}: cancelled{took}"),
            _ => Paint("31", $"<== {step.Name}: {Describe(outcome)}{took}"),
        };
        Emit(job, text);
    }

    public void JobFinished(JobRecord job, JobCompletion completion)
    {
        var took = Durations.Short(completion.FinishedAt - completion.StartedAt);
        var text = completion switch
        {
            { RetryAt: { } at } => Paint("33", $"job failed ({completion.FailureClass?.ToWire()}); retrying in {Durations.Short(at - completion.FinishedAt)}"),
            { Status: JobStatus.Succeeded } => Paint("32", $"job succeeded in {took}"),
            { Status: JobStatus.Cancelled } => Paint("33", $"job cancelled after {took}"),
            _ => Paint("31", $"job failed in {took}: {completion.Detail}"),
        };
        Emit(job, text);
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _printer;
    }

    private static string Describe(StepOutcome outcome) => outcome.FailureClass switch
    {
        FailureClass.Timeout => "timed out",
        FailureClass.Script when outcome.ExitCode is { } code => $"failed with exit code {code.ToString(CultureInfo.InvariantCulture)}",
        _ => outcome.Detail ?? "failed",
    };

    private void Emit(JobRecord job, string text) => _lines.Writer.TryWrite($"{Prefix(job.Name)} {text}");

    private string Prefix(string jobName)
    {
        if (!_color)
        {
            return $"[{jobName}]";
        }

        string code;
        lock (_colorGate)
        {
            if (!_jobColors.TryGetValue(jobName, out code!))
            {
                code = Palette[_jobColors.Count % Palette.Length];
                _jobColors[jobName] = code;
            }
        }

        return $"\u001b[{code}m[{jobName}]\u001b[0m";
    }

    private string Paint(string code, string text) => _color ? $"\u001b[{code}m{text}\u001b[0m" : text;

    private async Task PrintAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line);
            }

            await _writer.FlushAsync();
        }
    }
}
