using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>A job's log through the API: searched by regular expression, read by range and by its last lines, and
/// downloaded raw, whole or one step.</summary>
public sealed class JobLogApiTests : IAsyncLifetime
{
    private JobLogs logs = null!;

    private HttpClient Client => logs.Server.Client;

    public async ValueTask InitializeAsync() => logs = await JobLogs.StartAsync();

    public async ValueTask DisposeAsync() => await logs.DisposeAsync();

    [Fact]
    public async Task A_search_of_a_100000_line_log_answers_the_matching_line_numbers_in_order()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(Enumerable.Range(1, 100_000)
            .Select(i => i % 9_973 == 0 ? $"\u001b[31merror\u001b[0m: connection refused at {i}" : $"ok line {i}"));

        var found = await SearchAsync(run, job, "error: connection ref(used|erred) at \\d+$");

        var expected = Enumerable.Range(1, 100_000).Where(i => i % 9_973 == 0).Select(i => first - 1 + i).ToList();
        Assert.Equal(expected, found.Lines);
        Assert.False(found.Truncated);
        Assert.Equal(first + 99_999, found.Last);
    }

    [Fact]
    public async Task A_search_that_matches_too_many_lines_is_cut_at_its_cap_and_says_so()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(Enumerable.Range(1, 12_000).Select(i => $"hit {i}"));

        var found = await SearchAsync(run, job, "^hit");

        Assert.True(found.Truncated);
        Assert.Equal(JobLogApi.SearchCap, found.Lines.Count);
        Assert.Equal(first, found.Lines[0]);
        Assert.Equal(first + JobLogApi.SearchCap - 1, found.Lines[^1]);
    }

    [Fact]
    public async Task A_hostile_pattern_on_a_long_line_is_answered_promptly()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync([new string('a', 50_000) + "!", new string('a', 50_000)]);

        var clock = Stopwatch.StartNew();
        var found = await SearchAsync(run, job, "(a+)+$");
        clock.Stop();

        Assert.Equal([first + 1], found.Lines);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the search took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("(unclosed", "not a regular expression")]
    [InlineData("(a)\\1", "without backtracking")]
    [InlineData("", "empty")]
    public async Task A_pattern_that_cannot_be_searched_is_a_400_problem_saying_why(string pattern, string why)
    {
        var (run, job, _) = await logs.FinishedJobWithAsync(["x"]);

        var response = await Client.GetAsync($"{LogPath(run, job)}?q={Uri.EscapeDataString(pattern)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_answers_its_lines_inclusive_with_the_last_sequence_and_refuses_bad_bounds()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var last = first + 19;

        var middle = await RangeAsync(run, job, $"from={first + 2}&to={first + 4}");
        Assert.Equal(["line 3", "line 4", "line 5"], middle.Lines.Select(l => l.Text));
        Assert.Equal([first + 2, first + 3, first + 4], middle.Lines.Select(l => l.Seq));
        Assert.Equal(last, middle.Last);
        Assert.Null(middle.Next);
        Assert.Equal("stdout", middle.Lines[0].Stream);

        Assert.Equal(["line 19", "line 20"], (await RangeAsync(run, job, $"from={last - 1}")).Lines.Select(l => l.Text));
        Assert.Empty((await RangeAsync(run, job, $"from={last + 1}&to={last + 10}")).Lines);
        Assert.Equal(first + 1, (await RangeAsync(run, job, $"to={first + 1}")).Lines[^1].Seq);

        foreach (var bad in new[] { "from=0", "from=-3", "from=x", $"from={first + 4}&to={first + 2}", "to=0" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"{LogPath(run, job)}?{bad}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_range_is_cut_at_its_cap_and_says_where_the_rest_starts()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(Enumerable.Range(1, 6_000).Select(i => $"line {i}"));

        var page = await RangeAsync(run, job, $"from={first}&to={first + 5_999}");

        Assert.Equal(JobLogApi.RangeCap, page.Lines.Count);
        Assert.Equal(first + JobLogApi.RangeCap, page.Next);
        var rest = await RangeAsync(run, job, $"from={page.Next}&to={first + 5_999}");
        Assert.Equal(1_000, rest.Lines.Count);
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task The_tail_answers_the_last_lines_and_where_the_log_ends()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(Enumerable.Range(1, 50).Select(i => $"line {i}"));

        var tail = await RangeAsync(run, job, "tail=3");

        Assert.Equal(["line 48", "line 49", "line 50"], tail.Lines.Select(l => l.Text));
        Assert.Equal(first + 49, tail.Last);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"{LogPath(run, job)}?tail=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"{LogPath(run, job)}?tail=3&from=1")).StatusCode);
    }

    [Fact]
    public async Task Without_parameters_the_log_is_still_its_text_a_line_each()
    {
        var (run, job) = await logs.StartAsync("    steps: [{ run: 'echo one; echo two' }]\n");
        await logs.Server.WaitForRunAsync(run);

        var response = await Client.GetAsync(LogPath(run, job));

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Contains("one\ntwo\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_raw_download_is_the_whole_log_as_an_attachment_with_its_escape_codes()
    {
        var (run, job, first) = await logs.FinishedJobWithAsync(["\u001b[1;32mgreen\u001b[0m", "plain"]);

        var response = await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/log.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"run-{run}-job-{job}.log", response.Content.Headers.ContentDisposition?.FileName);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\u001b[1;32mgreen\u001b[0m\nplain\n", text, StringComparison.Ordinal);
        Assert.Equal(first + 1, text.Count(c => c == '\n'));
    }

    [Fact]
    public async Task One_steps_raw_download_has_that_steps_lines_only()
    {
        var (run, job) = await logs.StartAsync("    steps:\n      - run: 'echo first-a; echo first-b'\n      - run: 'echo second-a'\n      - run: 'echo third-a'\n");
        await logs.Server.WaitForRunAsync(run);
        var steps = (await logs.Server.GetRunAsync(run)).Jobs![0].Steps;
        var second = steps.Single(s => s.Name.Contains("second", StringComparison.Ordinal) || s.Index == steps.Min(x => x.Index) + 1).Index;

        var response = await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/log.txt?step={second}");

        Assert.Equal($"run-{run}-job-{job}-step-{second}.log", response.Content.Headers.ContentDisposition?.FileName);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("second-a\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("first-a", text, StringComparison.Ordinal);
        Assert.DoesNotContain("third-a", text, StringComparison.Ordinal);
        var all = await RangeAsync(run, job, "from=1");
        Assert.Equal(all.Lines.Where(l => l.Step == second).Select(l => l.Text + "\n"), text.Split('\n')[..^1].Select(t => t + "\n"));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync($"/api/v1/runs/{run}/jobs/{job}/log.txt?step=x")).StatusCode);
    }

    [Fact]
    public async Task A_job_of_another_run_is_not_found_by_any_of_the_log_endpoints()
    {
        var (run, job, _) = await logs.FinishedJobWithAsync(["x"]);

        foreach (var path in new[] { $"/api/v1/runs/{run + 1}/jobs/{job}/log?q=x", $"/api/v1/runs/{run + 1}/jobs/{job}/log?from=1", $"/api/v1/runs/{run + 1}/jobs/{job}/log.txt" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync(path)).StatusCode);
        }
    }

    private static string LogPath(long run, long job) => $"/api/v1/runs/{run}/jobs/{job}/log";

    private async Task<LogSearchView> SearchAsync(long run, long job, string pattern)
    {
        var response = await Client.GetAsync($"{LogPath(run, job)}?q={Uri.EscapeDataString(pattern)}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LogSearchView>())!;
    }

    private async Task<LogRangeView> RangeAsync(long run, long job, string query)
    {
        var response = await Client.GetAsync($"{LogPath(run, job)}?{query}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LogRangeView>())!;
    }
}
