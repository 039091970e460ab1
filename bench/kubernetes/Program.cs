using System.Diagnostics;
using System.Globalization;
using Cairn.Bench.Kubernetes;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runners;
using Cairn.Executors.Kubernetes;
using Cairn.Testing;

// What the kubernetes executor adds around a job's pod, against the stand-in API on loopback: from "pod Running" to the
// first step's first line reaching the reporter, and from the supervisor's last marker (the pod ending) to the job's
// outcome; beside a baseline in the same run: a bare client following the same kind of pod's log (what `kubectl logs -f`
// pays) from Running to its first line, and from the pod's end to the log stream's end.
var samples = args.Length > 1 && args[0] == "--samples" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
await using var api = new FakeKubernetesApi();
var marks = new Marks();
api.OnPodCreated = async (pod, ct) =>
{
    pod.Scheduled();
    await Task.Delay(20, ct);
    marks.Running = Stopwatch.GetTimestamp();
    pod.Running();
    pod.Log(pod.Marker("start:0"));
    pod.Log("first line");
    await Task.Delay(20, ct);
    pod.Log(pod.Marker("end:0:0"));
    pod.Log(pod.Marker("done"));
    marks.Ended = Stopwatch.GetTimestamp();
    pod.Terminated("job", 0);
};

using var executor = new KubernetesExecutor(new KubernetesExecutorOptions { KubeconfigPath = api.KubeconfigPath, OwnerId = "bench" }, TimeProvider.System);
var job = new JobSpec(1, 1, "bench", 1, "/workspace", "busybox:1.36", null, new Dictionary<string, string>(),
    [new StepSpec(0, "step", "echo first line", new Dictionary<string, string>(), null, null)], null, ExpressionContext.Empty)
{
    Kubernetes = new KubernetesRunnerOptions("bench", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)),
    LeaseId = Guid.NewGuid(),
};

var cairnStart = new List<double>();
var cairnEnd = new List<double>();
for (var i = 0; i < samples + 2; i++)
{
    var reporter = new FirstLine();
    var outcome = await executor.RunAsync(job, reporter, CancellationToken.None);
    var recorded = Stopwatch.GetTimestamp();
    if (outcome.Status != Cairn.Core.Runs.JobStatus.Succeeded || reporter.At == 0)
    {
        throw new InvalidOperationException($"the bench job did not succeed: {outcome.Status} {outcome.Detail}");
    }

    if (i >= 2)
    {
        cairnStart.Add(Stopwatch.GetElapsedTime(marks.Running, reporter.At).TotalMilliseconds);
        cairnEnd.Add(Stopwatch.GetElapsedTime(marks.Ended, recorded).TotalMilliseconds);
    }
}

var (baseStart, baseEnd) = await Baseline.RunAsync(api, marks, samples);
Console.WriteLine($"kubernetes executor against the stand-in API, {samples} jobs (2 warm-up), median / p90 / best in ms");
Console.WriteLine();
Console.WriteLine($"{"",-42}{"cairn",24}{"bare log follower",24}");
Console.WriteLine($"{"pod Running -> first step's first line",-42}{Report.Line(cairnStart),24}{Report.Line(baseStart),24}");
Console.WriteLine($"{"last step's end -> job recorded",-42}{Report.Line(cairnEnd),24}{Report.Line(baseEnd),24}");
