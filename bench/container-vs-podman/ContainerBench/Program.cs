// Runs N one-step jobs (`true`) one after another through the container executor and prints each job's wall time
// in milliseconds, one a line, after one untimed warm-up job.
// Usage: ContainerBench COUNT IMAGE ENGINE_ADDRESS
using System.Diagnostics;
using System.Globalization;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runs;
using Cairn.Executors.Container;

var count = int.Parse(args[0], CultureInfo.InvariantCulture);
var image = args[1];
var options = new ContainerExecutorOptions { EngineAddress = args[2], OwnerId = $"bench-{Environment.ProcessId}" };
using var executor = new ContainerExecutor(options, TimeProvider.System);
var workspace = Directory.CreateTempSubdirectory("cairn-bench-").FullName;
try
{
    for (var i = 0; i <= count; i++)
    {
        var job = new JobSpec(1, i, "bench", 1, workspace, image, null, new Dictionary<string, string>(),
            [new StepSpec(0, "true", "true", new Dictionary<string, string>(), null, null)], null, ExpressionContext.Empty);
        var clock = Stopwatch.StartNew();
        var outcome = await executor.RunAsync(job, new Discard(), CancellationToken.None);
        if (outcome.Status != JobStatus.Succeeded)
        {
            Console.Error.WriteLine($"job {i} did not succeed: {outcome.Detail}");
            return 1;
        }

        if (i > 0)
        {
            Console.WriteLine(clock.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
        }
    }
}
finally
{
    Directory.Delete(workspace, recursive: true);
}

return 0;

/// <summary>Drops what the jobs report: the benchmark times the executor, not a log store.</summary>
internal sealed class Discard : IJobReporter
{
    public void Log(LogLine line)
    {
    }

    public void StepStarted(StepSpec step, DateTimeOffset at)
    {
    }

    public void StepFinished(StepSpec step, StepOutcome outcome)
    {
    }
}
