using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests.Metrics;

/// <summary>Debian's real Prometheus on loopback scrapes a real server's metrics listener, with Cairn's rules loaded,
/// and its HTTP API shows the job counter once a pipeline has run.</summary>
public sealed class RealPrometheusTests : IDisposable
{
    private const string Secret = "it's a secret to everybody";

    private readonly TempDirectory data = new();
    private readonly TempDirectory prometheusData = new();

    public void Dispose()
    {
        prometheusData.Dispose();
        data.Dispose();
    }

    [PrometheusFact]
    public async Task Prometheus_scrapes_the_server_and_its_api_shows_the_job_that_ran()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var metricsPort = MetricsScrape.FreePort();
        await using var server = await ServerHarness.StartAsync(data.Path, given => given["Metrics:Urls"] = $"http://127.0.0.1:{metricsPort}");
        var prometheusPort = MetricsScrape.FreePort();
        var config = prometheusData.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(PrometheusRulesTests.RulesFolder, "cairn-rules.yml")}
            scrape_configs:
              - job_name: cairn
                static_configs:
                  - targets: ['127.0.0.1:{metricsPort}']
            """, cancellation);
        var start = new ProcessStartInfo(PrometheusTools.Prometheus!,
            [$"--config.file={config}", $"--storage.tsdb.path={prometheusData.Combine("tsdb")}", $"--web.listen-address=127.0.0.1:{prometheusPort}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var prometheus = Process.Start(start)!;
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}") };
            using var repo = new GitRepository();
            await server.AddRepositoryAsync("acme/scraped", "github", repo.CloneUrl, "http://127.0.0.1:9", Secret, statusToken: null);
            var sha = repo.Commit("""
                name: ci
                on:
                  push: {}
                jobs:
                  build:
                    steps:
                      - run: echo built
                """);
            var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("acme/scraped", "refs/heads/main", Deliveries.ZeroSha, sha), Secret), cancellation);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var answer = (await response.Content.ReadFromJsonAsync<WebhookAnswer>(cancellation))!;
            var run = await server.WaitForRunAsync((await server.WaitForEventAsync(answer.EventId!.Value)).RunId!.Value);
            Assert.Equal("succeeded", run.Status);

            await Eventually.TrueAsync(
                async () => await QueryAsync(api, "cairn_jobs_total{status=\"succeeded\",executor=\"shell\"}") is { Count: > 0 } found
                    && found.Any(r => double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 1),
                "Prometheus has scraped the succeeded job",
                TimeSpan.FromSeconds(60),
                cancellation);

            // The gauge that shares its stem with the job counter reaches Prometheus too.
            Assert.Equal(3, (await QueryAsync(api, "cairn_jobs"))!.Count);
            var up = await QueryAsync(api, "up{job=\"cairn\"}");
            Assert.Equal("1", Assert.Single(up!).GetProperty("value")[1].GetString());
            var rules = await api.GetFromJsonAsync<JsonElement>("/api/v1/rules", cancellation);
            var group = Assert.Single(rules.GetProperty("data").GetProperty("groups").EnumerateArray());
            Assert.Equal("cairn", group.GetProperty("name").GetString());
            Assert.Equal(5, group.GetProperty("rules").GetArrayLength());
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(CancellationToken.None);
        }

        Assert.True(await Processes.IsGoneSoonAsync(prometheus.Id, CancellationToken.None), "prometheus is gone");
    }

    /// <summary>The result of an instant query, or null while Prometheus does not answer yet.</summary>
    private static async Task<List<JsonElement>?> QueryAsync(HttpClient api, string query)
    {
        try
        {
            var answer = await api.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(query)}", TestContext.Current.CancellationToken);
            return [.. answer.GetProperty("data").GetProperty("result").EnumerateArray()];
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
