using System.Globalization;
using System.Text.Json;
using Cairn.Core.Runs;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Streaming;

/// <summary>Live streams (Server-Sent Events): a job's log as it is written, and a run's status changes. Each event
/// carries its id (a log line's sequence number, a change's id); a client that reconnects with <c>Last-Event-ID</c> (or
/// <c>?after=</c>) gets exactly what came after it. Both end with <c>event: end</c> once there is nothing more to come.</summary>
internal static class StreamsApi
{
    private const int Page = 500;

    // How long a stream waits without news before it looks at the store itself: what finds lines written by another
    // process on the same SQLite file, which cannot tell this one.
    private static readonly TimeSpan SafetyLook = TimeSpan.FromSeconds(5);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/runs/{id:long}/jobs/{jobId:long}/log/stream", LogAsync)
            .ForRunOf(Permission.ReadRuns).WithName("StreamJobLog").Produces(StatusCodes.Status200OK, contentType: SseWriter.ContentType);
        api.MapGet("/runs/{id:long}/events", EventsAsync)
            .ForRunOf(Permission.ReadRuns).WithName("StreamRunEvents").Produces(StatusCodes.Status200OK, contentType: SseWriter.ContentType);
        api.MapGet("/runs/events", AllRunsAsync)
            .ForListing().WithName("StreamAllRunEvents").Produces(StatusCodes.Status200OK, contentType: SseWriter.ContentType);
    }

    /// <summary>Every run's status changes (and its jobs'), from now on, or after <c>Last-Event-ID</c>/<c>?after=</c>
    /// when given; it never ends on its own. What the dashboard's run list follows.</summary>
    private static async Task<IResult> AllRunsAsync(
        HttpContext context, IRunStore store, IRunFeeds feeds, StreamContext streams, Caller caller, RepositoryAccess access)
    {
        var shown = new VisibleRuns(await access.VisibleAsync(caller, context.RequestAborted), store);

        if (!TryReadCursor(context.Request, "change id", out var cursor, out var problem))
        {
            return problem!;
        }

        var given = context.Request.Headers.ContainsKey("Last-Event-ID") || context.Request.Query.ContainsKey("after");
        if (!given)
        {
            cursor = await feeds.GetLatestChangeIdAsync(context.RequestAborted);
        }

        var names = new Dictionary<long, string>();
        await streams.RunAsync(context, async (sse, cancellationToken) =>
        {
            await sse.FlushAsync(cancellationToken);
            while (true)
            {
                var changes = await store.ReadChangesAsync(cursor, null, Page, cancellationToken);
                foreach (var change in changes)
                {
                    if (await shown.AllowsAsync(change.RunId, cancellationToken))
                    {
                        sse.Add(change.Id, null, json => ChangeData(json, change, names));
                    }

                    cursor = change.Id;
                }

                await sse.FlushAsync(cancellationToken);
                if (changes.Count == Page)
                {
                    continue;
                }

                await store.WaitForChangesAsync(cursor, Shorter(sse.UntilKeepAlive, SafetyLook), cancellationToken);
                await sse.KeepAliveIfDueAsync(cancellationToken);
            }
        });
        return Results.Empty;
    }

    private static async Task<IResult> LogAsync(
        long id, long jobId, HttpContext context, IRunStore store, ChangeWatch watch, LogTails tails, StreamContext streams)
    {
        if (!TryReadCursor(context.Request, "sequence number of a line", out var cursor, out var problem))
        {
            return problem!;
        }

        var job = await store.GetJobAsync(jobId, context.RequestAborted);
        if (job is null || job.RunId != id)
        {
            return Problems.NotFound($"run {id} has no job {jobId}");
        }

        await streams.RunAsync(context, async (sse, cancellationToken) =>
        {
            using var following = tails.Follow(jobId);
            var tail = following.Tail;
            var lookAtStatus = true;
            while (true)
            {
                // Both taken before looking, so that what happens after the look still wakes the stream.
                using var changed = watch.WatchJob(jobId);
                var grew = tail.Grew;
                if (lookAtStatus)
                {
                    if (await store.GetJobAsync(jobId, cancellationToken) is not { } current)
                    {
                        return;
                    }

                    job = current;
                }

                // The status first, then the lines: a job's lines are all stored before it ends, so once it has ended the
                // lines the store gives after are all there are.
                if (job.Status.IsTerminal())
                {
                    cursor = await SendFromStoreAsync(sse, store, jobId, cursor, untilEnd: true, cancellationToken);
                    sse.Add(null, "end", json => EndData(json, job));
                    await sse.FlushAsync(cancellationToken);
                    return;
                }

                cursor = await SendAsync(sse, tail, store, jobId, cursor, cancellationToken);

                // Caught up: the tail's reader writes the next lines to this stream itself, until the job changes, the
                // stream falls behind, or it is time to look anyway; else the stream waits to be woken for them.
                var attachedAt = cursor;
                var live = new LiveFollower(sse.Body, cursor);
                if (tail.TryAttach(live))
                {
                    Task? woken;
                    try
                    {
                        woken = await WhenAnyAsync(live.Detached, changed.Woken, Shorter(sse.UntilKeepAlive, SafetyLook), streams.Time, cancellationToken);
                    }
                    finally
                    {
                        cursor = await tail.DetachAsync(live);
                    }

                    lookAtStatus = woken != live.Detached;
                    if (cursor != attachedAt)
                    {
                        sse.NoteWritten();
                    }
                }
                else
                {
                    lookAtStatus = await WhenAnyAsync(grew, changed.Woken, Shorter(sse.UntilKeepAlive, SafetyLook), streams.Time, cancellationToken) != grew;
                }

                await sse.KeepAliveIfDueAsync(cancellationToken);
            }
        });
        return Results.Empty;
    }

    private static async Task<IResult> EventsAsync(long id, HttpContext context, IRunStore store, ChangeWatch watch, StreamContext streams)
    {
        if (!TryReadCursor(context.Request, "change id", out var cursor, out var problem))
        {
            return problem!;
        }

        if (await store.GetRunAsync(id, context.RequestAborted) is null)
        {
            return Problems.NotFound($"there is no run {id}");
        }

        var names = (await store.GetJobsAsync(id, context.RequestAborted)).ToDictionary(j => j.Id, j => j.Name);
        await streams.RunAsync(context, async (sse, cancellationToken) =>
        {
            while (true)
            {
                using var changed = watch.WatchRun(id);

                // A run's last change is written with its end, so once it has ended the changes read after are all there are.
                if (await store.GetRunAsync(id, cancellationToken) is not { } run)
                {
                    return;
                }

                while (true)
                {
                    var changes = await store.ReadChangesAsync(cursor, id, Page, cancellationToken);
                    foreach (var change in changes)
                    {
                        sse.Add(change.Id, null, json => ChangeData(json, change, names));
                    }

                    await sse.FlushAsync(cancellationToken);
                    if (changes.Count > 0)
                    {
                        cursor = changes[^1].Id;
                    }

                    if (changes.Count < Page)
                    {
                        break;
                    }
                }

                if (run.Status.HasEnded())
                {
                    sse.Add(null, "end", json =>
                    {
                        json.WriteStartObject();
                        json.WriteString("status", run.Status.ToWire());
                        json.WriteEndObject();
                    });
                    await sse.FlushAsync(cancellationToken);
                    return;
                }

                try
                {
                    await changed.Woken.WaitAsync(Shorter(sse.UntilKeepAlive, SafetyLook), streams.Time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Time to look anyway, or to keep the connection alive.
                }

                await sse.KeepAliveIfDueAsync(cancellationToken);
            }
        });
        return Results.Empty;
    }

    /// <summary>Sends the lines after <paramref name="cursor"/> that the job's tail keeps, reading the store first for
    /// those it no longer (or does not yet) keep; answers the new cursor.</summary>
    private static async Task<long> SendAsync(SseWriter sse, LogTail tail, IRunStore store, long jobId, long cursor, CancellationToken cancellationToken)
    {
        (IReadOnlyList<byte[]> Events, long Last) kept;
        while (true)
        {
            if (tail.After(cursor) is { } found)
            {
                kept = found;
                break;
            }

            var read = await SendFromStoreAsync(sse, store, jobId, cursor, untilEnd: false, cancellationToken);
            if (read == cursor)
            {
                return cursor;
            }

            cursor = read;
        }

        foreach (var line in kept.Events)
        {
            sse.AddEncoded(line);
        }

        await sse.FlushAsync(cancellationToken);
        return kept.Last;
    }

    /// <summary>Sends a page of lines after <paramref name="cursor"/> from the store, or (<paramref name="untilEnd"/>)
    /// every one there is; answers the new cursor.</summary>
    private static async Task<long> SendFromStoreAsync(
        SseWriter sse, IRunStore store, long jobId, long cursor, bool untilEnd, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lines = await store.ReadLogAsync(jobId, cursor, Page, cancellationToken);
            foreach (var line in lines)
            {
                sse.Add(line.Sequence, null, json => LineData(json, line));
            }

            await sse.FlushAsync(cancellationToken);
            if (lines.Count > 0)
            {
                cursor = lines[^1].Sequence;
            }

            if (!untilEnd || lines.Count < Page)
            {
                return cursor;
            }
        }
    }

    /// <summary>Waits for the first of two wake-ups, at most <paramref name="maxWait"/>; answers the one that came (null:
    /// neither did).</summary>
    private static async Task<Task?> WhenAnyAsync(Task first, Task second, TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.WhenAny(first, second).WaitAsync(maxWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    internal static void LineData(Utf8JsonWriter json, StoredLogLine line)
    {
        json.WriteStartObject();
        json.WriteNumber("seq", line.Sequence);
        json.WriteNumber("step", line.StepIndex);
        json.WriteString("stream", line.Stream.ToString().ToLowerInvariant());
        json.WriteString("at", line.Timestamp);
        json.WriteString("text", line.Text);
        json.WriteEndObject();
    }

    private static void EndData(Utf8JsonWriter json, JobRecord job)
    {
        json.WriteStartObject();
        json.WriteString("status", job.Status.ToWire());
        if (job.ExitCode is { } exit)
        {
            json.WriteNumber("exitCode", exit);
        }

        if (job.FailureClass is { } failure)
        {
            json.WriteString("failureClass", failure.ToWire());
        }

        if (job.FailureDetail is { } detail)
        {
            json.WriteString("failureDetail", detail);
        }

        json.WriteEndObject();
    }

    private static void ChangeData(Utf8JsonWriter json, RunChange change, Dictionary<long, string> names)
    {
        json.WriteStartObject();
        json.WriteNumber("id", change.Id);
        json.WriteNumber("runId", change.RunId);
        if (change.JobId is { } jobId)
        {
            json.WriteNumber("jobId", jobId);
            if (names.TryGetValue(jobId, out var name))
            {
                json.WriteString("job", name);
            }
        }

        json.WriteString("status", change.Status.ToWire());
        if (change.FailureClass is { } failure)
        {
            json.WriteString("failureClass", failure.ToWire());
        }

        if (change.Detail is { } detail)
        {
            json.WriteString("detail", detail);
        }

        json.WriteString("at", change.At);
        json.WriteEndObject();
    }

    /// <summary>Where the client's stream resumes: <c>Last-Event-ID</c> (what a reconnecting client sends), else the
    /// <c>after</c> query parameter, else the beginning.</summary>
    private static bool TryReadCursor(HttpRequest request, string what, out long cursor, out IResult? problem)
    {
        cursor = 0;
        problem = null;
        var (text, source) = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header
            ? (header, "Last-Event-ID")
            : (request.Query["after"].ToString(), "after");
        if (text.Length == 0 || long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
        {
            return true;
        }

        problem = Problems.BadRequest($"{source}: '{text}' is not the id of an event this stream sent (a {what})");
        return false;
    }

    private static TimeSpan Shorter(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
