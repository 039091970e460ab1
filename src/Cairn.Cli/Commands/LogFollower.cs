using System.Globalization;
using System.Text.Json;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn logs --follow</c>: prints a job's log as the server's stream brings it, reconnects by itself after a
/// dropped connection (asking for the lines after the last one printed, so none is missed or printed twice), and exits
/// by the job's verdict when the stream says it has ended.</summary>
internal static class LogFollower
{
    // Keep-alives come every 15 s by default: a minute of silence means the connection is gone, whatever TCP thinks.
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // Attempts in a row that bring no new line before giving up: a server restarting is waited out, a dead one is not.
    private const int Tolerance = 30;

    /// <summary>Follows the job to its end: 0 when it succeeded, 1 otherwise, 130 on an interrupt (the job goes on).</summary>
    public static async Task<int> FollowAsync(ServerSession session, long runId, JobView job, CancellationToken interrupt)
    {
        long? last = null;
        var fruitless = 0;
        try
        {
            while (true)
            {
                var before = last;
                string? problem;
                try
                {
                    using var stream = await session.Client.OpenLogStreamAsync(runId, job.Id, last, interrupt);
                    while (await stream.NextAsync(Idle, interrupt) is { } next)
                    {
                        if (next.Type == "end")
                        {
                            return await EndAsync(session, job, next.Data);
                        }

                        if (next.Type == "message" && await PrintAsync(session, next, last) is { } printed)
                        {
                            last = printed;
                        }
                    }

                    problem = "the server ended the stream before the job's end";
                }
                catch (ServerUnreachableException ex)
                {
                    problem = ex.Message;
                }
                catch (ServerProblemException ex) when (ex.Status >= 500)
                {
                    // A proxy's 502 or 503 while the server restarts: the next attempt may find it back.
                    problem = ex.Detail.Length > 0 ? ex.Detail : $"the server answered {ex.Status}";
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or TimeoutException)
                {
                    problem = $"the connection to {session.Client.Connection.Display} dropped ({Innermost(ex)})";
                }

                fruitless = last == before ? fruitless + 1 : 0;
                if (fruitless >= Tolerance)
                {
                    await session.Error.WriteLineAsync($"error: {problem}; gave up after {Tolerance} attempts");
                    return ExitCodes.Failed;
                }

                var resume = last is { } seq ? $"resuming after line {seq.ToString(CultureInfo.InvariantCulture)}" : "trying again";
                await session.Error.WriteLineAsync($"cairn: {problem}; {resume}");
                if (fruitless > 0)
                {
                    await Task.Delay(RetryDelay, session.Time, interrupt);
                }
            }
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await session.Error.WriteLineAsync($"cairn: no longer following job {job.Name}; it goes on");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>Prints one line (its text, or with <c>--json</c> its JSON as sent); answers its sequence number, or null
    /// for a line already printed.</summary>
    private static async Task<long?> PrintAsync(ServerSession session, ServerEvent line, long? last)
    {
        long sequence;
        string text;
        try
        {
            using var json = JsonDocument.Parse(line.Data);
            sequence = json.RootElement.GetProperty("seq").GetInt64();
            text = json.RootElement.GetProperty("text").GetString() ?? "";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ServerAnswerException($"the server sent a log line this cairn does not understand: {line.Data}");
        }

        if (sequence <= last)
        {
            return null;
        }

        await session.Out.WriteLineAsync(session.Json ? line.Data : text);
        return sequence;
    }

    private static async Task<int> EndAsync(ServerSession session, JobView job, string data)
    {
        string status;
        try
        {
            using var json = JsonDocument.Parse(data);
            status = json.RootElement.GetProperty("status").GetString() ?? "";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ServerAnswerException($"the server ended the log with something this cairn does not understand: {data}");
        }

        if (session.Json)
        {
            await session.Out.WriteLineAsync(data);
        }
        else
        {
            await session.Error.WriteLineAsync($"cairn: job {job.Name} {status}");
        }

        return status == "succeeded" ? ExitCodes.Succeeded : ExitCodes.Failed;
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner;
        }

        return ex.Message;
    }
}
