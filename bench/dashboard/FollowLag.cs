using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Bench.WebhookLatency;
using Microsoft.Playwright;

namespace Cairn.Bench.Dashboard;

/// <summary>Lags (ms) of the lines that entered the page, printed lines, and how many of them the page ever held; beside
/// them the lags of the same lines at a bare Server-Sent Events reader of the same log, which renders nothing.</summary>
internal sealed record FollowFigures(IReadOnlyList<double> Lags, int Printed, int Shown, int Rendered, IReadOnlyList<double> StreamLags);

/// <summary>A real job on the real server printing 1,000 lines a second, each with the wall clock it was printed at,
/// followed on its job page: for each line as it enters the document, shown minus printed.</summary>
internal static class FollowLag
{
    private const string Observer = """
        (() => {
          window.__lags = [];
          window.__shown = new Set();
          window.__rendered = 0;
          new MutationObserver((records) => {
            const shown = Date.now();
            for (const record of records) {
              for (const node of record.addedNodes) {
                if (node.nodeType !== 1) continue;
                const rows = node.matches('[data-seq]') ? [node] : node.querySelectorAll('[data-seq]');
                for (const row of rows) {
                  window.__rendered++;
                  const m = /^line (\d+) (\d+(?:\.\d+)?)$/.exec(row.querySelector('.log-text')?.textContent ?? '');
                  if (!m || window.__shown.has(m[1])) continue;
                  window.__shown.add(m[1]);
                  window.__lags.push(shown - Number(m[2]));
                }
              }
            }
          }).observe(document, { childList: true, subtree: true });
        })();
        """;

    public static async Task<FollowFigures> MeasureAsync(IBrowser browser, Session session, Uri server, string token, int seconds, string outDirectory)
    {
        var lines = seconds * 1000;
        var root = Directory.CreateDirectory(Path.Combine(outDirectory, "follow")).FullName;
        var start = Path.Combine(root, "start");
        var pipeline = $$$"""
            name: follow
            on: { manual: { inputs: { start: { default: none } } } }
            env: { START: "${{ inputs.start }}" }
            jobs:
              print:
                steps:
                  - run: |
                      while [ ! -f "$START" ]; do sleep 0.02; done
                      python3 -u -c '
                      import time
                      t0 = time.time()
                      for i in range(1, {{{lines}}} + 1):
                          wait = t0 + i / 1000 - time.time()
                          if wait > 0:
                              time.sleep(wait)
                          print("line %d %.1f" % (i, time.time() * 1000))
                      '
            """;
        var (repository, _) = await PushedRepository.CreateAsync(Directory.CreateDirectory(Path.Combine(root, "repository")).FullName, pipeline);
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var name = $"bench/follow-{Guid.NewGuid():N}"[..24];
        (await http.PostAsJsonAsync("api/v1/repos", new { name, forge = "github", cloneUrl = repository.CloneUrl })).EnsureSuccessStatusCode();
        var response = await http.PostAsJsonAsync($"api/v1/repos/{name}/runs", new { @ref = "main", inputs = new { start } });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the run did not start: {(int)response.StatusCode} {text}");
        }

        using var run = JsonDocument.Parse(text);
        var runId = run.RootElement.GetProperty("id").GetInt64();
        var jobId = run.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64();

        // The job page must find the job running (waiting for its start file), so that it follows it live.
        for (var i = 0; i < 600; i++)
        {
            using var job = JsonDocument.Parse(await http.GetStringAsync($"api/v1/runs/{runId}"));
            if (job.RootElement.GetProperty("jobs")[0].GetProperty("status").GetString() == "running")
            {
                break;
            }

            await Task.Delay(50);
        }

        var context = await session.ContextAsync(browser);
        await context.AddInitScriptAsync(Observer);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/runs/{runId}/jobs/{jobId}");
        await page.WaitForSelectorAsync(".log-scroll");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/runs/{runId}/jobs/{jobId}/log/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var stream = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        stream.EnsureSuccessStatusCode();
        var reading = ReadStreamAsync(stream);
        await File.WriteAllTextAsync(start, "");
        await page.WaitForSelectorAsync("#log[data-ended]", new PageWaitForSelectorOptions { Timeout = (seconds + 120) * 1000, State = WaitForSelectorState.Attached });
        var lags = await page.EvaluateAsync<double[]>("window.__lags");
        var rendered = await page.EvaluateAsync<int>("window.__rendered");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(outDirectory, "follow.png") });
        await context.CloseAsync();
        return new FollowFigures(lags, lines, lags.Length, rendered, await reading);
    }

    /// <summary>Reads the job's log stream to its end event, timing each line ("line N ms") at its arrival.</summary>
    private static async Task<IReadOnlyList<double>> ReadStreamAsync(HttpResponseMessage response)
    {
        var lags = new List<double>(16_384);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("event: end", StringComparison.Ordinal))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var arrived = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;
            using var data = JsonDocument.Parse(line.AsMemory(6));
            if (data.RootElement.TryGetProperty("text", out var text) && text.GetString() is { } printed
                && printed.Split(' ') is ["line", _, var stamp])
            {
                lags.Add(arrived - double.Parse(stamp, CultureInfo.InvariantCulture));
            }
        }

        return lags;
    }
}
