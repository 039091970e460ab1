// Runs N one-step jobs (`true`) one after another through the container executor, after one untimed warm-up job.
// Prints each job's wall time (RunAsync to its outcome) in milliseconds as `job MS`, one a line, then `total MS`: the
// wall time from the first timed job's start until the executor is disposed, which waits for removals still running,
// so the total holds everything the jobs cost the engine.
// Usage: ContainerBench COUNT IMAGE ENGINE_ADDRESS. PROFILE=1 also prints every engine call of each job to stderr.
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
var executor = new ContainerExecutor(options, TimeProvider.System);
using var calls = EngineCallLog.StartIf(Environment.GetEnvironmentVariable("PROFILE") == "1");
var workspace = Directory.CreateTempSubdirectory("cairn-bench-").FullName;
try
{
    var block = new Stopwatch();
    for (var i = 0; i <= count; i++)
    {
        var job = new JobSpec(1, i, "bench", 1, workspace, image, null, new Dictionary<string, string>(),
            [new StepSpec(0, "true", "true", new Dictionary<string, string>(), null, null)], null, ExpressionContext.Empty);
        if (i == 1)
        {
            block.Start();
        }

        calls?.Restart();
        var clock = Stopwatch.StartNew();
        var outcome = await executor.RunAsync(job, new Discard(), CancellationToken.None);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (outcome.Status != JobStatus.Succeeded)
        {
            Console.Error.WriteLine($"job {i} did not succeed: {outcome.Detail}");
            return 1;
        }

        if (i > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"job {elapsed:F1}"));
        }

        calls?.Print($"job {i}: {elapsed:F1} ms to its outcome");
    }

    executor.Dispose();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {block.Elapsed.TotalMilliseconds:F1}"));
    calls?.Print("after the last job, until the executor was disposed");
}
finally
{
    executor.Dispose();
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

/// <summary>Every HTTP call the executor makes to the engine (the System.Net.Http activities): when it started after
/// the job did, and how long it took.</summary>
internal sealed class EngineCallLog : IDisposable
{
    private readonly List<string> _calls = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ActivityListener _listener;

    private EngineCallLog()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public static EngineCallLog? StartIf(bool wanted) => wanted ? new EngineCallLog() : null;

    public void Restart()
    {
        lock (_calls)
        {
            _calls.Clear();
            _clock.Restart();
        }
    }

    public void Print(string heading)
    {
        lock (_calls)
        {
            Console.Error.WriteLine($"{heading}; engine calls (start ms, duration ms):");
            _calls.ForEach(Console.Error.WriteLine);
            _calls.Clear();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Stopped(Activity activity)
    {
        lock (_calls)
        {
            var start = _clock.Elapsed - (DateTime.UtcNow - activity.StartTimeUtc);
            var path = activity.GetTagItem("url.full") is string url ? new Uri(url).PathAndQuery : "?";
            _calls.Add(string.Create(CultureInfo.InvariantCulture,
                $"{start.TotalMilliseconds,8:F1} {activity.Duration.TotalMilliseconds,7:F1}  {activity.GetTagItem("http.request.method")} {Shorten(path)}"));
        }
    }

    /// <summary>Ids cut to 12 characters, as the engine's CLI prints them.</summary>
    private static string Shorten(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "[0-9a-f]{64}", m => m.Value[..12]);
}
