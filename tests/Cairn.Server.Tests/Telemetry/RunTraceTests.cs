using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cairn.Core.Telemetry;
using Cairn.Server.Api;
using Cairn.Server.Webhooks;
using OpenTelemetry.Trace;

namespace Cairn.Server.Tests.Telemetry;

/// <summary>One trace per run, read back from the tracer provider's in-memory exporter: a real GitHub push (from the
/// corpus, its commit swapped for the test repository's and signed again) runs a shell job of two steps on the real
/// server until its commit status is delivered, and every span of it hangs from the one <c>webhook</c> root.</summary>
public sealed class RunTraceTests : IAsyncLifetime
{
    private const string Secret = "trace-secret";
    private const string PayloadFile = "github-push-branch_goscm.json";
    private const string Pipeline = """
        name: ci
        on: { push: { branches: [master] } }
        jobs:
          build:
            steps:
              - name: compile
                run: echo compiling
              - name: check
                run: echo checking
        """;

    private static readonly string[] Expected =
    [
        CairnTelemetry.Spans.Webhook, CairnTelemetry.Spans.SignatureCheck, CairnTelemetry.Spans.Plan, CairnTelemetry.Spans.QueueWait,
        CairnTelemetry.Spans.Job, CairnTelemetry.Spans.Prepare, CairnTelemetry.Spans.Step, CairnTelemetry.Spans.StatusDelivery,
    ];

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new("master");
    private readonly SpanList spans = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path, adjust: runtime => runtime with { Tracing = tracing => tracing.AddInMemoryExporter(spans) });
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_webhook_started_run_is_one_tree_of_spans_from_the_delivery_to_its_commit_status()
    {
        var (run, name) = await PushAsync();
        Assert.Equal("succeeded", run.Status);
        await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci" && x.State == "success"));

        Assert.NotNull(run.TraceId);
        var trace = await Eventually.ValueAsync(
            () => Task.FromResult(spans.OfTrace(run.TraceId!)),
            found => Expected.All(n => found.Any(s => s.OperationName == n))
                && found.Count(s => s.OperationName == CairnTelemetry.Spans.Step) == 2
                && found.Any(s => s.OperationName == CairnTelemetry.Spans.StatusDelivery && Tag(s, CairnTelemetry.Attributes.Status) == "success"),
            "every span of the run to be exported",
            TimeSpan.FromSeconds(60));

        var root = Assert.Single(trace, s => s.ParentSpanId == default);
        Assert.Equal(CairnTelemetry.Spans.Webhook, root.OperationName);
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != root), s => Assert.Contains(s.ParentSpanId, ids));

        var job = Assert.Single(trace, s => s.OperationName == CairnTelemetry.Spans.Job);
        var jobId = run.Jobs![0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(root.SpanId, job.ParentSpanId);
        Assert.Equal(root.SpanId, Assert.Single(trace, s => s.OperationName == CairnTelemetry.Spans.QueueWait).ParentSpanId);
        Assert.All(trace.Where(s => s.OperationName is CairnTelemetry.Spans.Prepare or CairnTelemetry.Spans.Step), s => Assert.Equal(job.SpanId, s.ParentSpanId));
        Assert.Equal(["compile", "check"], trace.Where(s => s.OperationName == CairnTelemetry.Spans.Step).OrderBy(s => s.StartTimeUtc).Select(s => Tag(s, CairnTelemetry.Attributes.Step)));
        Assert.All(
            trace.Where(s => s.OperationName is not (CairnTelemetry.Spans.Webhook or CairnTelemetry.Spans.SignatureCheck)),
            s => Assert.Equal(run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Tag(s, CairnTelemetry.Attributes.RunId)));
        Assert.All(
            trace.Where(s => s.OperationName is CairnTelemetry.Spans.QueueWait or CairnTelemetry.Spans.Job or CairnTelemetry.Spans.Prepare or CairnTelemetry.Spans.Step),
            s => Assert.Equal(jobId, Tag(s, CairnTelemetry.Attributes.JobId)));
        Assert.All(
            trace.Where(s => s.OperationName is CairnTelemetry.Spans.Webhook or CairnTelemetry.Spans.Plan or CairnTelemetry.Spans.Job or CairnTelemetry.Spans.Step or CairnTelemetry.Spans.StatusDelivery),
            s => Assert.Equal(name, Tag(s, CairnTelemetry.Attributes.Repository)));
        Assert.All(trace, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));
    }

    [Fact]
    public async Task A_reruns_trace_starts_at_a_run_start_root_linked_to_the_trace_of_the_run_it_reran()
    {
        var (first, _) = await PushAsync();

        var response = await server.Client.PostAsync($"/api/v1/runs/{first.Id}/rerun", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var rerun = await server.WaitForRunAsync((await response.Content.ReadFromJsonAsync<RunView>())!.Id);

        Assert.NotNull(rerun.TraceId);
        Assert.NotEqual(first.TraceId, rerun.TraceId);
        var trace = await Eventually.ValueAsync(
            () => Task.FromResult(spans.OfTrace(rerun.TraceId!)),
            found => found.Any(s => s.OperationName == CairnTelemetry.Spans.Job),
            "the rerun's spans to be exported",
            TimeSpan.FromSeconds(60));
        var root = Assert.Single(trace, s => s.ParentSpanId == default);
        Assert.Equal(CairnTelemetry.Spans.RunStarted, root.OperationName);
        var link = Assert.Single(root.Links);
        Assert.Equal(first.TraceId, link.Context.TraceId.ToHexString());
        Assert.Contains(trace, s => s.OperationName == CairnTelemetry.Spans.Plan && s.ParentSpanId == root.SpanId);
    }

    [Fact]
    public async Task A_failing_step_marks_its_span_and_its_jobs_span_as_errors_with_the_failure_class()
    {
        await server.AddRepositoryAsync("octo/fails", "github", repo.CloneUrl, forge.Url, Secret);
        repo.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - name: broken
                    run: exit 3
            """);
        var started = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/fails/runs", new { @ref = "refs/heads/master" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var run = await server.WaitForRunAsync((await started.Content.ReadFromJsonAsync<RunView>())!.Id);
        Assert.Equal("failed", run.Status);

        var trace = await Eventually.ValueAsync(
            () => Task.FromResult(spans.OfTrace(run.TraceId!)),
            found => found.Any(s => s.OperationName == CairnTelemetry.Spans.Job),
            "the run's job span to be exported",
            TimeSpan.FromSeconds(60));
        Assert.Equal(CairnTelemetry.Spans.RunStarted, Assert.Single(trace, s => s.ParentSpanId == default).OperationName);
        var step = Assert.Single(trace, s => s.OperationName == CairnTelemetry.Spans.Step);
        var job = Assert.Single(trace, s => s.OperationName == CairnTelemetry.Spans.Job);
        Assert.Equal((ActivityStatusCode.Error, "script"), (step.Status, Tag(step, "error.type")));
        Assert.Equal((ActivityStatusCode.Error, "script"), (job.Status, Tag(job, "error.type")));
    }

    /// <summary>Registers the corpus push's repository, commits the pipeline and delivers the push for that commit.</summary>
    private async Task<(RunView Run, string Repository)> PushAsync()
    {
        var expect = WebhookCorpus.Entry(PayloadFile).GetProperty("expect");
        var name = expect.GetProperty("repo_full_name").GetString()!;
        await server.AddRepositoryAsync(name, "github", repo.CloneUrl, forge.Url, Secret);
        var sha = repo.Commit(Pipeline);
        var body = Encoding.UTF8.GetString(WebhookCorpus.Body(PayloadFile)).Replace(expect.GetProperty("after").GetString()!, sha, StringComparison.Ordinal);

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Encoding.UTF8.GetBytes(body), Secret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>())!;
        var entry = await server.WaitForEventAsync(answer.EventId!.Value);
        Assert.True(entry.RunId is not null, $"{entry.State}: {entry.Detail}");
        return (await server.WaitForRunAsync(entry.RunId!.Value), name);
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name) switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var value => value.ToString(),
    };
}
