using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>Finding text in every run's log through <c>GET /api/v1/search</c>: the admin token, the answer, bad input.</summary>
public sealed class SearchApiTests : IAsyncLifetime
{
    private JobLogs logs = null!;

    private HttpClient Client => logs.Server.Client;

    public async ValueTask InitializeAsync() => logs = await JobLogs.StartAsync();

    public async ValueTask DisposeAsync() => await logs.DisposeAsync();

    [Fact]
    public async Task A_search_answers_the_jobs_whose_logs_hold_the_text_newest_run_first_with_a_link_to_the_line()
    {
        var (older, olderJob, olderFirst) = await logs.FinishedJobWithAsync(["fetching", "dial tcp: Connection Refused (50% of retries)"]);
        var (newer, newerJob, newerFirst) = await logs.FinishedJobWithAsync(["connection refused", "connection refused"]);

        var page = await Client.GetFromJsonAsync<LogSearchResultsView>("/api/v1/search?q=" + Uri.EscapeDataString("CONNECTION refused") + "&repo=octo/app");

        Assert.NotNull(page);
        Assert.Equal([(newer, newerJob, newerFirst, 2L), (older, olderJob, olderFirst + 1, 1L)], page.Results.Select(r => (r.RunId, r.JobId, r.Seq, r.MatchingLines)));
        Assert.Equal($"/runs/{older}/jobs/{olderJob}#L{olderFirst + 1}", page.Results[1].Url);
        Assert.Equal("dial tcp: Connection Refused (50% of retries)", page.Results[1].Text);
        Assert.Equal(("octo/app", "build", "succeeded"), (page.Results[0].Repo, page.Results[0].Job, page.Results[0].RunStatus));
        Assert.Null(page.Next);

        var paged = await Client.GetFromJsonAsync<LogSearchResultsView>("/api/v1/search?q=connection+refused&limit=1");
        var rest = await Client.GetFromJsonAsync<LogSearchResultsView>($"/api/v1/search?q=connection+refused&limit=1&before={paged!.Next}");
        Assert.Equal([newer], paged.Results.Select(r => r.RunId));
        Assert.Equal([older], rest!.Results.Select(r => r.RunId));
        Assert.Empty((await Client.GetFromJsonAsync<LogSearchResultsView>("/api/v1/search?q=connection+refused&repo=octo/other"))!.Results);
    }

    [Fact]
    public async Task A_search_without_the_admin_token_is_refused()
    {
        await logs.FinishedJobWithAsync(["secret build output"]);

        var response = await logs.Server.Anonymous.GetAsync("/api/v1/search?q=secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("build output", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "q: say what to look for")]
    [InlineData("q=", "q: say what to look for")]
    [InlineData("q=ab", "at least 3 characters")]
    [InlineData("q=abc&limit=0", "limit: between 1 and 100")]
    [InlineData("q=abc&limit=many", "limit: between 1 and 100")]
    [InlineData("q=abc&limit=101", "limit: between 1 and 100")]
    [InlineData("q=abc&before=yesterday", "before:")]
    public async Task A_search_that_cannot_be_run_is_a_400_problem_saying_why(string query, string why)
    {
        var response = await Client.GetAsync("/api/v1/search?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(why, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_for_too_long_a_text_is_a_400_problem()
    {
        var response = await Client.GetAsync("/api/v1/search?q=" + new string('x', 201));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 200 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
