using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Telemetry;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests.Metrics;

/// <summary><c>/metrics</c> off, behind its token on the main listener, and alone on a listener of its own; and what it
/// shows after real runs: Prometheus' names, the buckets, only the allowed labels, and no repository, branch or user.</summary>
public sealed class MetricsEndpointTests : IDisposable
{
    private const string Secret = "it's a secret to everybody";
    private const string MetricsToken = "a-metrics-token-of-some-length";
    private const string Pipeline = """
        name: ci
        on:
          push: {}
        jobs:
          build:
            steps:
              - run: echo built
          test:
            needs: [build]
            steps:
              - run: echo tested
          lint:
            steps:
              - run: exit 3
        """;

    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task Without_a_token_or_a_listener_metrics_are_off_and_the_answer_says_how_to_turn_them_on()
    {
        await using var server = await ServerHarness.StartAsync(data.Path);

        var response = await server.Client.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("--metrics-token-file", text, StringComparison.Ordinal);
        Assert.Contains("--metrics-urls", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_main_listener_metrics_answer_only_the_metrics_token()
    {
        var tokenFile = data.Combine("metrics-token");
        await File.WriteAllTextAsync(tokenFile, MetricsToken + "\n", TestContext.Current.CancellationToken);
        await using var server = await ServerHarness.StartAsync(data.Path, given => given["Metrics:TokenFile"] = tokenFile);
        var cancellation = TestContext.Current.CancellationToken;

        var none = await server.Anonymous.GetAsync("/metrics", cancellation);
        var admin = await server.Client.GetAsync("/metrics", cancellation);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", MetricsToken + "x") } };
        var wrongAnswer = await server.Anonymous.SendAsync(wrong, cancellation);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", MetricsToken) } };
        var rightAnswer = await server.Anonymous.SendAsync(right, cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
        Assert.DoesNotContain(MetricsToken, await wrongAnswer.Content.ReadAsStringAsync(cancellation), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, rightAnswer.StatusCode);
        Assert.StartsWith("text/plain", rightAnswer.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_made_already_failed_by_an_invalid_pipeline_is_counted_when_it_is_made()
    {
        var port = MetricsScrape.FreePort();
        await using var server = await ServerHarness.StartAsync(data.Path, given => given["Metrics:Urls"] = $"http://127.0.0.1:{port}");
        var cancellation = TestContext.Current.CancellationToken;
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var repo = new GitRepository();
        await server.AddRepositoryAsync("acme/broken", "github", repo.CloneUrl, "http://127.0.0.1:9", Secret, statusToken: null);
        repo.Commit("name: ci\njobs:\n  build:\n    stepz: []\n");

        async Task<double> FailedManualRunsAsync() => MetricsScrape.Parse(await metrics.GetStringAsync("/metrics", cancellation))
            .Where(s => s.Name == "cairn_runs_total" && s.Labels["status"] == "failed" && s.Labels["event"] == "manual")
            .Sum(s => double.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture));

        var before = await FailedManualRunsAsync();
        var response = await server.Client.PostAsJsonAsync("/api/v1/repos/acme/broken/runs", new { }, cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var run = await server.GetRunAsync((await response.Content.ReadFromJsonAsync<RunIdOnly>(cancellation))!.Id);
        Assert.Equal("failed", run.Status);

        Assert.True(await FailedManualRunsAsync() >= before + 1, "the failed manual run is counted");
    }

    private sealed record RunIdOnly(long Id);

    [Fact]
    public async Task On_the_metrics_listener_only_metrics_are_served_and_they_carry_no_repository_branch_or_user()
    {
        var port = MetricsScrape.FreePort();
        await using var server = await ServerHarness.StartAsync(data.Path, given => given["Metrics:Urls"] = $"http://127.0.0.1:{port}");
        var cancellation = TestContext.Current.CancellationToken;
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var distinctive = new List<string>();
        var runs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (repository, branch, user) = ($"zebra{i}-org/quokka{i}-repo", $"feature/narwhal{i}-branch", $"wombat{i}-person");
            distinctive.AddRange([repository, $"quokka{i}", $"narwhal{i}", $"wombat{i}"]);
            using var repo = new GitRepository();
            await server.AddRepositoryAsync(repository, "github", repo.CloneUrl, "http://127.0.0.1:9", Secret, statusToken: null);
            var sha = repo.Commit(Pipeline, branch: branch);
            var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Push(repository, $"refs/heads/{branch}", sha, user), Secret), cancellation);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>(cancellation))!;
            var entry = await server.WaitForEventAsync(answer.EventId!.Value);
            runs.Add((await server.WaitForRunAsync(entry.RunId!.Value)).Id);
        }

        var unsigned = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Push("zebra0-org/quokka0-repo", "refs/heads/main", "abc", "wombat0-person"), "not the secret"), cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync("/healthz", cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync("/api/v1/runs", cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.GetAsync("/", cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await metrics.PostAsync("/hooks/github", new StringContent("{}"), cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Anonymous.GetAsync("/metrics", cancellation)).StatusCode);

        var exposition = "";
        await Eventually.TrueAsync(
            async () =>
            {
                // What Prometheus asks for: OpenMetrics first. The answer is the text format, where cairn_jobs_total and
                // cairn_jobs are two families (in OpenMetrics they would be one, and both would be left out).
                using var asked = new HttpRequestMessage(HttpMethod.Get, "/metrics")
                {
                    Headers = { Accept = { MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text;version=1.0.0"), MediaTypeWithQualityHeaderValue.Parse("text/plain;version=0.0.4;q=0.5") } },
                };
                using var answer = await metrics.SendAsync(asked, cancellation);
                Assert.Equal("text/plain", answer.Content.Headers.ContentType!.MediaType);
                exposition = await answer.Content.ReadAsStringAsync(cancellation);
                return exposition.Contains("cairn_jobs{", StringComparison.Ordinal) && exposition.Contains("cairn_runs_total{", StringComparison.Ordinal);
            },
            "the scrape shows the gauges and the runs");

        var samples = MetricsScrape.Parse(exposition);
        var cairn = samples.Where(s => s.Name.StartsWith("cairn_", StringComparison.Ordinal)).ToList();
        Assert.All(cairn, s => Assert.All(s.Labels.Keys, label => Assert.True(
            CairnMetrics.AllowedLabels.Contains(label) || (label == "le" && s.Name.EndsWith("_bucket", StringComparison.Ordinal)),
            $"{s.Name} has the label '{label}'")));
        Assert.All(distinctive, word => Assert.DoesNotContain(word, exposition, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("_total_total", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", exposition, StringComparison.Ordinal);

        Assert.Contains(cairn, s => s.Name == "cairn_jobs_total" && s.Labels["status"] == "succeeded" && s.Labels["executor"] == "shell");
        Assert.Contains(cairn, s => s.Name == "cairn_jobs_total" && s.Labels["status"] == "failed" && s.Labels["executor"] == "shell");
        Assert.Contains(cairn, s => s.Name == "cairn_runs_total" && s.Labels["status"] == "failed" && s.Labels["event"] == "push");
        Assert.Contains(cairn, s => s.Name == "cairn_webhook_deliveries_total" && s.Labels["forge"] == "github" && s.Labels["result"] == "accepted");
        Assert.Contains(cairn, s => s.Name == "cairn_webhook_deliveries_total" && s.Labels["forge"] == "github" && s.Labels["result"] == "rejected_signature");
        foreach (var histogram in new[] { "cairn_job_duration_seconds", "cairn_job_queue_wait_seconds", "cairn_job_start_seconds", "cairn_step_duration_seconds" })
        {
            var buckets = cairn.Where(s => s.Name == histogram + "_bucket").Select(s => s.Labels["le"]).Distinct().ToList();
            Assert.Equal([.. CairnMetrics.DurationBuckets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)), "+Inf"], buckets);
            Assert.Contains(cairn, s => s.Name == histogram + "_sum");
            Assert.Contains(cairn, s => s.Name == histogram + "_count");
        }

        Assert.Contains(cairn, s => s.Name == "cairn_log_bytes_total");
        Assert.Equal(
            OperationalCounts.WaitingReasons.Order(StringComparer.Ordinal),
            cairn.Where(s => s.Name == "cairn_jobs_waiting").Select(s => s.Labels["reason"]).Order(StringComparer.Ordinal));
        Assert.Contains(cairn, s => s.Name == "cairn_workers" && s.Labels["state"] == "server" && s.Value == "2");
        Assert.Contains(cairn, s => s.Name == "cairn_status_outbox_pending");
        Assert.Contains(cairn, s => s.Name == "cairn_status_outbox_oldest_seconds");
    }

    private static object Push(string repository, string gitRef, string sha, string user) => new
    {
        @ref = gitRef,
        before = Deliveries.ZeroSha,
        after = sha,
        created = true,
        deleted = false,
        forced = false,
        repository = new { full_name = repository, name = repository.Split('/')[1], owner = new { login = repository.Split('/')[0] } },
        pusher = new { name = user, email = $"{user}@example.com" },
        sender = new { login = user },
        head_commit = new { id = sha, message = "change", author = new { name = user } },
    };
}
