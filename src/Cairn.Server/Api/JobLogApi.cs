using System.Globalization;
using System.Text;
using Cairn.Core.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>One log line as the API shows it, the same fields as a line of the log stream.</summary>
public sealed record LogLineView(long Seq, int Step, string Stream, DateTimeOffset At, string Text);

/// <summary>A stretch of a job's log: its lines in order, the sequence number of the job's last line so far
/// (<c>last</c>), and where to ask next when the answer was cut at its cap (<c>next</c>: the <c>from</c> of the rest).</summary>
public sealed record LogRangeView(IReadOnlyList<LogLineView> Lines, long Last, long? Next);

/// <summary>The sequence numbers of a job's lines that match <c>q</c>, in order; <c>truncated</c> when there were more
/// than the answer holds, and <c>last</c> the sequence number of the last line searched.</summary>
public sealed record LogSearchView(string Query, IReadOnlyList<long> Lines, bool Truncated, long Last);

/// <summary>A job's log through the API: all of it as text (what the log endpoint always answered), a range of its
/// lines, its last lines, the lines that match a regular expression, and a raw download of the job or of one step.</summary>
internal static class JobLogApi
{
    /// <summary>At most this many line numbers answer a search.</summary>
    public const int SearchCap = 10_000;

    /// <summary>At most this many lines answer a range (or a tail).</summary>
    public const int RangeCap = 5_000;

    private const int Batch = 1_000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/runs/{id:long}/jobs/{jobId:long}/log", LogAsync).WithName("GetJobLog").ForRunOf(Permission.ReadRuns);
        api.MapGet("/runs/{id:long}/jobs/{jobId:long}/log.txt", RawAsync).WithName("DownloadJobLog").ForRunOf(Permission.ReadRuns);
    }

    private static async Task<IResult> LogAsync(
        long id, long jobId, string? q, string? from, string? to, string? tail, IRunStore store, HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (await store.GetJobAsync(jobId, cancellationToken) is not { } job || job.RunId != id)
        {
            return Problems.NotFound($"run {id} has no job {jobId}");
        }

        if (q is not null)
        {
            return from is null && to is null && tail is null
                ? await SearchAsync(jobId, q, store, cancellationToken)
                : Problems.BadRequest("q: a search cannot be combined with from, to or tail");
        }

        if (tail is not null)
        {
            return from is null && to is null
                ? await TailAsync(jobId, tail, store, cancellationToken)
                : Problems.BadRequest("tail: the last lines cannot be combined with from or to");
        }

        if (from is not null || to is not null)
        {
            return await RangeAsync(jobId, from, to, store, cancellationToken);
        }

        response.ContentType = "text/plain; charset=utf-8";
        await WriteLinesAsync(response, (after, ct) => store.ReadLogAsync(jobId, after, Batch, ct), cancellationToken);
        return Results.Empty;
    }

    private static async Task<IResult> RawAsync(long id, long jobId, string? step, IRunStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await store.GetJobAsync(jobId, cancellationToken) is not { } job || job.RunId != id)
        {
            return Problems.NotFound($"run {id} has no job {jobId}");
        }

        int? stepIndex = null;
        if (step is not null)
        {
            if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return Problems.BadRequest($"step: '{step}' is not the index of a step (0, 1, 2, …)");
            }

            stepIndex = index;
        }

        var name = stepIndex is { } s ? $"run-{id}-job-{jobId}-step-{s}.log" : $"run-{id}-job-{jobId}.log";
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = name }.ToString();
        await WriteLinesAsync(
            response,
            (after, ct) => stepIndex is { } only ? store.ReadStepLogAsync(jobId, only, after, Batch, ct) : store.ReadLogAsync(jobId, after, Batch, ct),
            cancellationToken);
        return Results.Empty;
    }

    /// <summary>Writes the lines <paramref name="read"/> gives, one batch at a time, each followed by a newline.</summary>
    private static async Task WriteLinesAsync(
        HttpResponse response, Func<long, CancellationToken, Task<IReadOnlyList<StoredLogLine>>> read, CancellationToken cancellationToken)
    {
        long after = 0;
        var text = new StringBuilder();
        while (await read(after, cancellationToken) is { Count: > 0 } lines)
        {
            text.Clear();
            foreach (var line in lines)
            {
                text.Append(line.Text).Append('\n');
            }

            await response.WriteAsync(text.ToString(), cancellationToken);
            after = lines[^1].Sequence;
        }
    }

    private static async Task<IResult> SearchAsync(long jobId, string q, IRunStore store, CancellationToken cancellationToken)
    {
        if (!LogSearch.TryCompile(q, out var search, out var why))
        {
            return Problems.BadRequest($"q: {why}");
        }

        var hits = new List<long>();
        long after = 0;
        while (await store.ReadLogAsync(jobId, after, Batch, cancellationToken) is { Count: > 0 } lines)
        {
            foreach (var line in lines)
            {
                if (search!.Matches(line.Text))
                {
                    if (hits.Count == SearchCap)
                    {
                        return Results.Ok(new LogSearchView(q, hits, true, after));
                    }

                    hits.Add(line.Sequence);
                }

                after = line.Sequence;
            }
        }

        return Results.Ok(new LogSearchView(q, hits, false, after));
    }

    private static async Task<IResult> RangeAsync(long jobId, string? from, string? to, IRunStore store, CancellationToken cancellationToken)
    {
        if (!TryReadSequence("from", from ?? "1", out var first, out var problem) || !TryReadSequence("to", to ?? long.MaxValue.ToString(CultureInfo.InvariantCulture), out var end, out problem))
        {
            return problem!;
        }

        if (end < first)
        {
            return Problems.BadRequest($"to: {end} comes before from ({first})");
        }

        var wanted = (int)Math.Min(end - first + 1, RangeCap);
        var lines = await store.ReadLogAsync(jobId, first - 1, wanted, cancellationToken);
        var last = await store.GetLastLogSequenceAsync(jobId, cancellationToken);
        var kept = lines.Where(l => l.Sequence <= end).ToList();
        var next = kept.Count == wanted && kept[^1].Sequence < Math.Min(end, last) ? kept[^1].Sequence + 1 : (long?)null;
        return Results.Ok(new LogRangeView([.. kept.Select(View)], last, next));
    }

    private static async Task<IResult> TailAsync(long jobId, string tail, IRunStore store, CancellationToken cancellationToken)
    {
        if (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > RangeCap)
        {
            return Problems.BadRequest($"tail: '{tail}' is not a number of lines from 1 to {RangeCap}");
        }

        var last = await store.GetLastLogSequenceAsync(jobId, cancellationToken);
        var lines = await store.ReadLogAsync(jobId, Math.Max(0, last - count), count, cancellationToken);
        return Results.Ok(new LogRangeView([.. lines.Select(View)], Math.Max(last, lines.Count > 0 ? lines[^1].Sequence : 0), null));
    }

    private static bool TryReadSequence(string name, string text, out long value, out IResult? problem)
    {
        problem = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1)
        {
            return true;
        }

        problem = Problems.BadRequest($"{name}: '{text}' is not a line number (1, 2, 3, …)");
        return false;
    }

    internal static LogLineView View(StoredLogLine line) =>
        new(line.Sequence, line.StepIndex, line.Stream.ToString().ToLowerInvariant(), line.Timestamp, line.Text);
}
