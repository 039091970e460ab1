using Cairn.Cli.Commands;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn run</c> has no forge: a publish job says what it would push and open, and succeeds; other jobs go
/// to the executors they always went to.</summary>
public sealed class LocalPublishTests
{
    [Fact]
    public async Task APublishJob_SaysWhatItWouldPublish_AndSucceeds()
    {
        var steps = new SingleExecutorResolver(new NeverRuns());
        var resolver = LocalPublishExecutor.Wrap(steps, TimeProvider.System);
        var job = new JobRecord(1, 1, "publish", "publish", [], [], JobStatus.Running, 1, null, null, null, null, null, "{}");
        var publishDefinition = Definition() with { Kind = "publish", Publish = new PublishJson("implement", true, null, "main", []) };

        var chosen = resolver.Resolve(job, publishDefinition).Executor!;
        Assert.IsType<LocalPublishExecutor>(chosen);
        Assert.IsType<NeverRuns>(resolver.Resolve(job, Definition()).Executor);

        var reporter = new Lines();
        var spec = new JobSpec(1, 1, "publish", 1, "/tmp", null, null, new Dictionary<string, string>(), [], null, new ExpressionContext(new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>()))
        {
            Publish = publishDefinition.Publish,
        };
        var outcome = await chosen.RunAsync(spec, reporter, TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
        Assert.Equal(
            ["would push cairn/1-implement and open a draft pull request of it into main", "cairn run does not publish: the branch cairn/1-implement stays in this repository"],
            reporter.Texts);
    }

    private static JobDefinitionJson Definition() => new(
        "k", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(), null, null, null, null, [], null, []);

    private sealed class NeverRuns : IExecutor
    {
        public string Name => "never";

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken) => throw new InvalidOperationException();
    }

    private sealed class Lines : IJobReporter
    {
        public List<string> Texts { get; } = [];

        public void Log(LogLine line) => Texts.Add(line.Text);

        public void StepStarted(StepSpec step, DateTimeOffset at)
        {
        }

        public void StepFinished(StepSpec step, StepOutcome outcome)
        {
        }
    }
}
