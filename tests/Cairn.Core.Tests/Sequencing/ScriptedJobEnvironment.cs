using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Sequencing;

/// <summary>An in-memory executor's primitives: each step's <c>run:</c> says what it does — <c>exit N</c>, <c>hang</c>
/// (until stopped), <c>no-start</c>, or <c>end CLASS N</c> (the executor ends it) — and every call is recorded.</summary>
internal sealed class ScriptedJobEnvironment(IJobReporter reporter) : IJobEnvironment
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);

    public Func<CancellationToken, Task<JobSetup>> Prepare { get; init; } = _ => Task.FromResult(JobSetup.Ready);

    public string? LeftOver { get; init; }

    public List<string> Calls { get; } = [];

    public int TearDowns { get; private set; }

    public async Task<JobSetup> PrepareAsync(CancellationToken cancellationToken)
    {
        Calls.Add("prepare");
        return await Prepare(cancellationToken);
    }

    public async Task<StepExit> RunStepAsync(StepSpec step, CancellationToken stop)
    {
        Calls.Add($"run {step.Name}");
        reporter.Log(new LogLine(step.Index, LogStream.Stdout, DateTimeOffset.UnixEpoch, $"{step.Name} runs"));
        Started(step.Name).TrySetResult();
        var words = step.Run.Split(' ');
        switch (words[0])
        {
            case "exit":
                return StepExit.Exited(int.Parse(words[1], CultureInfo.InvariantCulture));
            case "no-start":
                return StepExit.NotStarted("the engine said no");
            case "end":
                Assert.True(StatusNames.TryParseFailureClass(words[1], out var failureClass));
                return StepExit.Failed(failureClass, int.Parse(words[2], CultureInfo.InvariantCulture), words[1]);
            default:
                try
                {
                    await Task.Delay(Timeout.Infinite, stop);
                }
                catch (OperationCanceledException)
                {
                    Calls.Add($"stopped {step.Name}");
                    return StepExit.Stopped;
                }

                return StepExit.Exited(0);
        }
    }

    public Task<string?> TearDownAsync(CancellationToken cancellationToken)
    {
        Calls.Add("tear down");
        TearDowns++;
        return Task.FromResult(LeftOver);
    }

    /// <summary>Completes once the step named <paramref name="name"/> has begun to run.</summary>
    public TaskCompletionSource Started(string name) =>
        _started.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
