using System.Globalization;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>A job whose log holds the text: its run, its first matching line (<c>seq</c>, the line's text cut to 500
/// characters around the match), how many of its lines match, and the dashboard's address of that line.</summary>
public sealed record LogSearchResultView(
    long RunId,
    long RunNumber,
    string? Repo,
    string? Ref,
    string? Sha,
    string RunStatus,
    DateTimeOffset CreatedAt,
    long JobId,
    string Job,
    long Seq,
    string Text,
    long MatchingLines,
    string Url);

/// <summary>A page of results, newest run first; <c>next</c> is the <c>before</c> of the next (older) page, null at the end.</summary>
public sealed record LogSearchResultsView(string Query, string? Repo, IReadOnlyList<LogSearchResultView> Results, string? Next);

/// <summary>Finds the runs whose logs hold a piece of text: <c>GET /api/v1/search?q=…&amp;repo=…&amp;limit=…&amp;before=…</c>.</summary>
internal static class SearchApi
{
    public static void Map(RouteGroupBuilder api) => api.MapGet("/search", SearchAsync).WithName("SearchLogs").ForListing();

    /// <summary>Reads a search from a request's query string; the query, or what is wrong with it.</summary>
    public static (LogSearchQuery? Query, IReadOnlyList<string> Errors) Read(string? q, string? repo, string? limit, string? before)
    {
        var errors = new List<string>();
        var count = LogSearchQuery.DefaultLimit;
        if (limit is not null && !int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count))
        {
            errors.Add($"limit: between 1 and {LogSearchQuery.MaximumLimit}");
        }

        LogSearchCursor? cursor = null;
        if (!string.IsNullOrEmpty(before) && !LogSearchCursor.TryParse(before, out cursor))
        {
            errors.Add("before: the next of a previous answer (run.job)");
        }

        var query = new LogSearchQuery(q ?? "", string.IsNullOrWhiteSpace(repo) ? null : repo.Trim(), count, cursor);
        if (errors.Count == 0 && query.Check() is { } problem)
        {
            errors.Add(problem);
        }

        return errors.Count == 0 ? (query, errors) : (null, errors);
    }

    public static string LineUrl(LogSearchMatch match) =>
        string.Create(CultureInfo.InvariantCulture, $"/runs/{match.Run.Id}/jobs/{match.JobId}#L{match.Sequence}");

    private static async Task<IResult> SearchAsync(
        string? q, string? repo, string? limit, string? before, ILogSearch search, Caller caller, RepositoryAccess access,
        CancellationToken cancellationToken)
    {
        var (query, errors) = Read(q, repo, limit, before);
        if (query is null)
        {
            return Problems.Validation(errors);
        }

        var page = await search.SearchLogsAsync(query, cancellationToken);
        var visible = await access.VisibleAsync(caller, cancellationToken);
        var results = page.Matches
            .Where(m => visible.Allows(m.Run.Repository))
            .Select(m => new LogSearchResultView(
                m.Run.Id, m.Run.Number, m.Run.Repository, m.Run.Ref, m.Run.Sha, StatusNames.ToWire(m.Run.Status), m.Run.CreatedAt,
                m.JobId, m.JobName, m.Sequence, m.Text, m.MatchingLines, LineUrl(m)))
            .ToList();
        return Results.Ok(new LogSearchResultsView(query.Text, query.Repository, results, page.Next?.ToString()));
    }
}
