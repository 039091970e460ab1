using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cairn.Bench.SseFollowers;

/// <summary>One follower of a job's live log: a Server-Sent Events connection of its own, reading every event and
/// noting, for each line, when it arrived (wall clock, µs since the epoch) beside when the job printed it.</summary>
internal sealed class Follower(HttpClient http, string path) : IDisposable
{
    private HttpResponseMessage? _response;
    private StreamReader? _reader;

    /// <summary>Per line number (from 1): the job's timestamp and the arrival, in µs since the epoch.</summary>
    public List<(int Line, long PrintedMicros, long ArrivedMicros)> Lines { get; } = new(1024);

    public long[] Sequences { get; private set; } = [];

    public string? EndStatus { get; private set; }

    /// <summary>Connects and waits for the answer's headers, so that the follower is in place before the job prints.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        _response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        _response.EnsureSuccessStatusCode();
        _reader = new StreamReader(await _response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>Reads until the end event. Only the job's own lines ("line N µs") are timed; every event's sequence
    /// number is kept, to check that none was missed or repeated.</summary>
    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        var sequences = new List<long>(1024);
        var ending = false;
        while (await _reader!.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: end", StringComparison.Ordinal))
            {
                ending = true;
                continue;
            }

            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var arrived = WallClock.NowMicros();
            using var data = JsonDocument.Parse(line.AsMemory(6));
            if (ending)
            {
                EndStatus = data.RootElement.GetProperty("status").GetString();
                break;
            }

            sequences.Add(data.RootElement.GetProperty("seq").GetInt64());
            var text = data.RootElement.GetProperty("text").GetString()!;
            if (text.StartsWith("line ", StringComparison.Ordinal) && text.Split(' ') is [_, var number, var stamp])
            {
                Lines.Add((int.Parse(number, CultureInfo.InvariantCulture), WallClock.ParseEpochRealtime(stamp), arrived));
            }
        }

        Sequences = [.. sequences];
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _response?.Dispose();
    }
}

internal static class WallClock
{
    public static long NowMicros() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

    /// <summary>Reads <c>$EPOCHREALTIME</c> as written ("1700000000.123456", a comma in some locales).</summary>
    public static long ParseEpochRealtime(string text) =>
        (long)Math.Round(decimal.Parse(text.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 1_000_000m);
}
