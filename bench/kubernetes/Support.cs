using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Testing;

namespace Cairn.Bench.Kubernetes;

/// <summary>When the pod started running and when its supervisor ended, as the stand-in API's script saw it.</summary>
internal sealed class Marks
{
    public long Running { get; set; }

    public long Ended { get; set; }
}

/// <summary>A reporter that keeps the time of the first line a step printed.</summary>
internal sealed class FirstLine : IJobReporter
{
    public long At { get; private set; }

    public void Log(LogLine line)
    {
        if (At == 0 && line.Stream == LogStream.Stdout)
        {
            At = Stopwatch.GetTimestamp();
        }
    }

    public void StepStarted(StepSpec step, DateTimeOffset at)
    {
    }

    public void StepFinished(StepSpec step, StepOutcome outcome)
    {
    }
}

/// <summary>The same pods followed by a bare HTTP client: create the pod, poll it until Running, follow its log.</summary>
internal static class Baseline
{
    public static async Task<(List<double> Start, List<double> End)> RunAsync(FakeKubernetesApi api, Marks marks, int samples)
    {
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "fake-token");
        var start = new List<double>();
        var end = new List<double>();
        for (var i = 0; i < samples + 2; i++)
        {
            var name = $"baseline-{i}";
            await http.PostAsync("/api/v1/namespaces/bench/secrets", Json($$$"""{"metadata":{"name":"{{{name}}}"},"stringData":{"nonce":"n"}}"""));
            await http.PostAsync("/api/v1/namespaces/bench/pods", Json($$$"""{"metadata":{"name":"{{{name}}}"},"spec":{"containers":[{"name":"job","image":"busybox:1.36"}]}}"""));
            while (!(await http.GetStringAsync($"/api/v1/namespaces/bench/pods/{name}")).Contains("\"running\"", StringComparison.Ordinal))
            {
                await Task.Yield();
            }

            using var log = await http.GetAsync($"/api/v1/namespaces/bench/pods/{name}/log?follow=true&timestamps=true", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await log.Content.ReadAsStreamAsync());
            long first = 0;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (first == 0 && line.EndsWith(" first line", StringComparison.Ordinal))
                {
                    first = Stopwatch.GetTimestamp();
                }
            }

            var done = Stopwatch.GetTimestamp();
            if (i >= 2)
            {
                start.Add(Stopwatch.GetElapsedTime(marks.Running, first).TotalMilliseconds);
                end.Add(Stopwatch.GetElapsedTime(marks.Ended, done).TotalMilliseconds);
            }

            await http.DeleteAsync($"/api/v1/namespaces/bench/pods/{name}");
            await http.DeleteAsync($"/api/v1/namespaces/bench/secrets/{name}");
        }

        return (start, end);
    }

    private static StringContent Json(string text) => new(text, System.Text.Encoding.UTF8, "application/json");
}

/// <summary>Median, 90th percentile and best of a sample, in milliseconds.</summary>
internal static class Report
{
    public static string Line(List<double> values)
    {
        var sorted = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{sorted[sorted.Count / 2]:F1} / {sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(sorted.Count * 0.9) - 1)]:F1} / {sorted[0]:F1}");
    }
}
