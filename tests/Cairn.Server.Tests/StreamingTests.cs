using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cairn.Server.Api;

namespace Cairn.Server.Tests;

/// <summary>A job's log followed live and a run's changes streamed, as Server-Sent Events.</summary>
public sealed class StreamingTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    private string Release => data.Combine("release");

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path, c => c["StreamKeepAlive"] = "300ms");
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_job_is_followed_live_its_lines_arriving_while_it_runs_and_the_stream_ends_with_its_status()
    {
        var (run, job) = await StartHeldJobAsync();
        await using var stream = await SseStream.OpenAsync(server.Client, LogPath(run, job));
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);

        var beforeRelease = await stream.ReadUntilAsync(e => Text(e) == "line 3");

        // The job cannot end before the release file exists: these lines came while it ran.
        Assert.Equal("running", (await server.GetRunAsync(run)).Jobs![0].Status);
        await File.WriteAllTextAsync(Release, "");
        var afterRelease = await stream.ReadUntilAsync(e => e.Type == "end");

        var lines = beforeRelease.Concat(afterRelease).Where(e => e.Type == "message").ToList();
        Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => (long)i), lines.Select(Sequence));
        Assert.All(lines, e => Assert.Equal(e.Id, Sequence(e).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(["line 1", "line 2", "line 3", "data: x\\ny ✓", "line 4", "line 5", "line 6"], lines.Select(Text).Where(t => t.StartsWith("line", StringComparison.Ordinal) || t.StartsWith("data", StringComparison.Ordinal)));
        Assert.Equal("stdout", lines.First(l => Text(l) == "line 1").Json.GetProperty("stream").GetString());
        Assert.Equal("succeeded", afterRelease[^1].Json.GetProperty("status").GetString());
        Assert.Equal(0, afterRelease[^1].Json.GetProperty("exitCode").GetInt32());
        Assert.Null(await stream.NextAsync());
    }

    [Fact]
    public async Task A_follower_that_reconnects_with_Last_Event_ID_gets_exactly_the_lines_after_it()
    {
        var (run, job) = await StartHeldJobAsync();
        List<SseEvent> first;
        await using (var dropped = await SseStream.OpenAsync(server.Client, LogPath(run, job)))
        {
            first = await dropped.ReadUntilAsync(e => Text(e) == "line 2");
        }

        await using var resumed = await SseStream.OpenAsync(server.Client, LogPath(run, job), lastEventId: first[^1].Id);
        var meanwhile = await resumed.ReadUntilAsync(e => Text(e) == "line 3");
        await File.WriteAllTextAsync(Release, "");
        var rest = await resumed.ReadUntilAsync(e => e.Type == "end");

        var all = first.Concat(meanwhile).Concat(rest).Where(e => e.Type == "message").ToList();
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(Sequence));
        Assert.Equal(Sequence(first[^1]) + 1, Sequence(meanwhile[0]));

        // After the end, a query cursor serves clients that cannot send headers; the header wins over it.
        await using var byQuery = await SseStream.OpenAsync(server.Client, LogPath(run, job) + "?after=4");
        var tail = await byQuery.ReadUntilAsync(e => e.Type == "end");
        await using var byBoth = await SseStream.OpenAsync(server.Client, LogPath(run, job) + "?after=1", lastEventId: "5");
        var shorter = await byBoth.ReadUntilAsync(e => e.Type == "end");
        Assert.Equal(all.Skip(4).Select(e => e.Data), tail.Where(e => e.Type == "message").Select(e => e.Data));
        Assert.Equal(all.Skip(5).Select(e => e.Data), shorter.Where(e => e.Type == "message").Select(e => e.Data));
    }

    [Fact]
    public async Task Followers_of_a_long_log_get_every_line_once_whether_they_follow_from_the_start_or_join_late()
    {
        repo.Commit($$"""
            name: long
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: |
                      seq -f 'line %g' 1 6000
                      while [ ! -f '{{Release}}' ]; do sleep 0.05; done
                      seq -f 'line %g' 6001 6003
            """);
        var run = await TriggerAsync();
        var job = (await server.GetRunAsync(run)).Jobs![0].Id;
        await using var early = await SseStream.OpenAsync(server.Client, LogPath(run, job));
        var earlyBefore = await early.ReadUntilAsync(e => Text(e) == "line 6000");

        // Joins once more lines were written than a job's tail keeps in memory: the first of them come from the store.
        await using var late = await SseStream.OpenAsync(server.Client, LogPath(run, job));
        var lateBefore = await late.ReadUntilAsync(e => Text(e) == "line 6000");
        await File.WriteAllTextAsync(Release, "");
        var earlyAll = earlyBefore.Concat(await early.ReadUntilAsync(e => e.Type == "end")).Where(e => e.Type == "message").ToList();
        var lateAll = lateBefore.Concat(await late.ReadUntilAsync(e => e.Type == "end")).Where(e => e.Type == "message").ToList();

        foreach (var lines in new[] { earlyAll, lateAll })
        {
            Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => (long)i), lines.Select(Sequence));
            Assert.Equal(Enumerable.Range(1, 6003).Select(i => $"line {i}"), lines.Select(Text).Where(t => t.StartsWith("line", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Followers_written_to_by_the_tail_get_every_line_once_even_one_that_stops_reading_while_the_job_prints_megabytes()
    {
        repo.Commit($$"""
            name: crowd
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: |
                      seq -f 'line %g' 1 3
                      while [ ! -f '{{Release}}' ]; do sleep 0.05; done
                      seq -f 'line %g' 4 100000
            """);
        var run = await TriggerAsync();
        var job = (await server.GetRunAsync(run)).Jobs![0].Id;
        var crowd = new List<SseStream>();
        var seen = new List<long>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var follower = await SseStream.OpenAsync(server.Client, LogPath(run, job));
                crowd.Add(follower);
                seen.Add(long.Parse((await follower.ReadUntilAsync(e => Text(e) == "line 3"))[^1].Id!, CultureInfo.InvariantCulture));
            }

            // Every one has the first lines and waits for more; the last stops reading while the job prints about 9 MB of
            // events, more than its connection holds, so its writes stop going out while the others' go on.
            var (stalled, reading) = (crowd[^1], crowd[..^1]);
            await File.WriteAllTextAsync(Release, "");
            var rests = await Task.WhenAll(reading.Select(f => f.ReadUntilAsync(e => e.Type == "end")));
            var stalledRest = await stalled.ReadUntilAsync(e => e.Type == "end");

            foreach (var (rest, after) in rests.Append(stalledRest).Zip(seen))
            {
                var lines = rest.Where(e => e.Type == "message").ToList();
                Assert.Equal(Enumerable.Range(1, lines.Count).Select(i => after + i), lines.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)));
                Assert.Equal(Enumerable.Range(4, 99_997).Select(i => $"line {i}"), lines.Select(Text).Where(t => t.StartsWith("line ", StringComparison.Ordinal)));
                Assert.Equal("succeeded", rest[^1].Json.GetProperty("status").GetString());
            }
        }
        finally
        {
            foreach (var follower in crowd)
            {
                await follower.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        var (run, job) = await StartHeldJobAsync();
        await using var log = await SseStream.OpenAsync(server.Client, LogPath(run, job));
        await using var events = await SseStream.OpenAsync(server.Client, $"/api/v1/runs/{run}/events");
        await log.ReadUntilAsync(e => Text(e) == "line 3");

        var logComment = await NextCommentAsync(log);
        var eventsComment = await NextCommentAsync(events);

        Assert.Equal("keep-alive", logComment.Data);
        Assert.Equal("keep-alive", eventsComment.Data);
        await File.WriteAllTextAsync(Release, "");
        Assert.Equal("end", (await log.ReadUntilAsync(e => e.Type == "end"))[^1].Type);
    }

    [Fact]
    public async Task A_runs_events_stream_its_status_changes_in_order_and_end_when_it_ends()
    {
        repo.Commit("""
            name: two
            on: { manual: {} }
            jobs:
              a:
                steps: [{ run: echo a }]
              b:
                needs: [a]
                steps: [{ run: 'exit 3' }]
            """);
        var run = await TriggerAsync();
        await using var stream = await SseStream.OpenAsync(server.Client, $"/api/v1/runs/{run}/events");

        var events = await stream.ReadUntilAsync(e => e.Type == "end");

        var changes = events.Where(e => e.Type == "message").ToList();
        var ids = changes.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(changes, e => Assert.Equal(run, e.Json.GetProperty("runId").GetInt64()));
        var said = changes.Select(e => (e.Json.TryGetProperty("job", out var name) ? name.GetString() : "run", e.Json.GetProperty("status").GetString())).ToList();
        Assert.Contains(("a", "succeeded"), said);
        Assert.True(said.IndexOf(("a", "succeeded")) < said.IndexOf(("b", "running")));
        Assert.Equal(("run", "failed"), said[^1]);
        Assert.Equal("failed", events[^1].Json.GetProperty("status").GetString());

        await using var resumed = await SseStream.OpenAsync(server.Client, $"/api/v1/runs/{run}/events", lastEventId: changes[2].Id);
        var rest = await resumed.ReadUntilAsync(e => e.Type == "end");
        Assert.Equal(changes.Skip(3).Select(e => e.Data), rest.Where(e => e.Type == "message").Select(e => e.Data));
    }

    [Fact]
    public async Task Streams_answer_problems_for_what_is_not_there_or_not_understood_and_need_the_token()
    {
        repo.Commit("name: one\non: { manual: {} }\njobs:\n  a:\n    steps: [{ run: 'true' }]\n");
        var run = await TriggerAsync();
        var job = (await server.WaitForRunAsync(run)).Jobs![0].Id;

        var noRun = await server.Client.GetAsync("/api/v1/runs/999/events");
        var otherRun = await server.Client.GetAsync($"/api/v1/runs/{run + 1}/jobs/{job}/log/stream");
        using var badCursor = new HttpRequestMessage(HttpMethod.Get, LogPath(run, job));
        badCursor.Headers.Add("Last-Event-ID", "yesterday");
        var bad = await server.Client.SendAsync(badCursor);
        var badQuery = await server.Client.GetAsync($"/api/v1/runs/{run}/events?after=-1");
        var anonymous = await server.Anonymous.GetAsync(LogPath(run, job));

        Assert.Equal(HttpStatusCode.NotFound, noRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherRun.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'yesterday'", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badQuery.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>A run whose one job prints three lines and a line that looks like an event field, then waits for the
    /// release file before printing three more.</summary>
    private async Task<(long Run, long Job)> StartHeldJobAsync()
    {
        repo.Commit($$"""
            name: live
            on: { manual: {} }
            jobs:
              build:
                steps:
                  - run: |
                      for i in 1 2 3; do echo "line $i"; done
                      printf '%s\n' 'data: x\ny ✓'
                      while [ ! -f '{{Release}}' ]; do sleep 0.05; done
                      for i in 4 5 6; do echo "line $i"; sleep 0.1; done
            """);
        var run = await TriggerAsync();
        return (run, (await server.GetRunAsync(run)).Jobs![0].Id);
    }

    private async Task<long> TriggerAsync()
    {
        var response = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunView>())!.Id;
    }

    private static async Task<SseEvent> NextCommentAsync(SseStream stream)
    {
        while (await stream.NextAsync() is { } next)
        {
            if (next.Type == SseEvent.Comment)
            {
                return next;
            }
        }

        Assert.Fail("the stream ended without a comment");
        return null!;
    }

    private static string LogPath(long run, long job) => $"/api/v1/runs/{run}/jobs/{job}/log/stream";

    private static string Text(SseEvent e) => e.Type == "message" ? e.Json.GetProperty("text").GetString()! : "";

    private static long Sequence(SseEvent e) => e.Json.GetProperty("seq").GetInt64();
}
