using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cairn.Bench.WebhookLatency;

namespace Cairn.Bench.Scale;

/// <summary>A thousand followers of one job's live log on one server: each a raw socket (HTTP/1.0, so the body is the
/// bare event stream), its lines found in the bytes without a JSON parser, so that the crowd costs the host little
/// beside the server; then the same job followed by one.</summary>
internal static class FollowerCrowd
{
    public static async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var server = Arguments.Base(arguments.Required("--server"));
        var pid = arguments.Value("--pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        var count = arguments.Number("--followers", 1000);
        var lines = arguments.Number("--lines", 400);
        var intervalMs = arguments.Number("--interval-ms", 50);
        var output = Path.GetFullPath(arguments.Value("--out") ?? Path.Combine("bench", "out", "scale", "followers"));
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var token = (await File.ReadAllTextAsync(Path.Combine(arguments.Required("--data"), "admin.token"), cancellationToken)).Trim();
        var interval = (intervalMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var pipeline = $$$"""
            name: stream
            on: { manual: { inputs: { start: { default: none } } } }
            env: { START: "${{ inputs.start }}" }
            jobs:
              print:
                steps:
                  - run: |
                      while [ ! -f "$START" ]; do sleep 0.02; done
                      for i in $(seq 1 {{{lines}}}); do printf 'line %s %s\n' "$i" "$EPOCHREALTIME"; sleep {{{interval}}}; done
            """;
        var (repository, _) = await PushedRepository.CreateAsync(Directory.CreateDirectory(Path.Combine(output, "repository")).FullName, pipeline);
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var name = $"scale/stream-{Guid.NewGuid():N}"[..24];
        (await http.PostAsJsonAsync("api/v1/repos", new { name, forge = "github", cloneUrl = repository.CloneUrl }, cancellationToken)).EnsureSuccessStatusCode();

        var c = CultureInfo.InvariantCulture;
        var results = new List<string>();
        foreach (var followers in new[] { count, 1 })
        {
            Console.Error.WriteLine($"  {followers} follower(s) of {lines} lines, one every {intervalMs} ms...");
            var start = Path.Combine(output, $"start-{followers}");
            using var answer = await http.PostAsJsonAsync($"api/v1/repos/{name}/runs", new { @ref = "main", inputs = new { start } }, cancellationToken);
            answer.EnsureSuccessStatusCode();
            using var run = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(cancellationToken));
            var runId = run.RootElement.GetProperty("id").GetInt64();
            var jobId = run.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64();
            var request = Encoding.ASCII.GetBytes(
                $"GET /api/v1/runs/{runId}/jobs/{jobId}/log/stream HTTP/1.0\r\nHost: {server.Authority}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n");
            var crowd = Enumerable.Range(0, followers).Select(_ => new RawFollower(lines)).ToList();
            try
            {
                foreach (var wave in crowd.Chunk(50))
                {
                    await Task.WhenAll(wave.Select(f => f.ConnectAsync(server, request, cancellationToken)));
                }

                var reading = crowd.Select(f => f.ReadAsync(cancellationToken)).ToList();
                var cpuBefore = pid is { } id ? ProcessCpu.Seconds(id) : double.NaN;
                var wall = Stopwatch.StartNew();
                await File.WriteAllTextAsync(start, "", cancellationToken);
                await Task.WhenAll(reading);
                var cpu = pid is { } again ? (ProcessCpu.Seconds(again) - cpuBefore) / wall.Elapsed.TotalSeconds * 100 : double.NaN;
                var lags = Stats.Of(crowd.SelectMany(f => f.Lags()));
                var worst = crowd.Max(f => Stats.Of(f.Lags()).P99);
                var complete = crowd.Count(f => f.Complete);
                var label = followers == 1 ? "1 follower (baseline)" : $"{followers} followers";
                var verdict = followers == 1 ? "" : $"  target p99 < 100 ms: {Stats.Verdict(lags.P99, 100)}, all complete: {(complete == followers ? "met" : "NOT met")}";
                results.Add(string.Create(c, $"  {label,-22} lag {lags}  worst follower p99 {worst,6:0.0} ms  complete {complete}/{followers}  server CPU {cpu:0}% of a core{verdict}"));
            }
            finally
            {
                foreach (var follower in crowd)
                {
                    follower.Dispose();
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"one job printing {lines} lines, one every {intervalMs} ms, followed live over SSE on one server (lag = arrival - printing)");
        results.ForEach(Console.WriteLine);
        Console.WriteLine("  complete: every line exactly once, in order (sequence numbers from 1), then the end event (succeeded)");
        return 0;
    }
}

/// <summary>One follower on a socket of its own: reads the event stream, and per job line notes the lag of its arrival
/// (one clock reading per receive) behind the line's own <c>$EPOCHREALTIME</c>.</summary>
internal sealed class RawFollower(int lines) : IDisposable
{
    private static readonly byte[] Seq = "\"seq\":"u8.ToArray();
    private static readonly byte[] Text = "\"text\":\"line "u8.ToArray();
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly long[] _lagMicros = Enumerable.Repeat(long.MinValue, lines + 1).ToArray();
    private byte[] _pending = new byte[64 * 1024];
    private int _pendingLength;
    private long _expectedSequence = 1;
    private bool _ordered = true;
    private bool _ending;
    private string? _endStatus;

    public bool Complete => _ordered && _endStatus == "succeeded" && _lagMicros.Skip(1).All(l => l != long.MinValue);

    public IEnumerable<double> Lags() => _lagMicros.Skip(1).Where(l => l != long.MinValue).Select(l => l / 1000.0);

    public async Task ConnectAsync(Uri server, byte[] request, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), cancellationToken);
        await _socket.SendAsync(request, SocketFlags.None, cancellationToken);

        // The answer's head, up to the blank line; what came after it is the stream's first bytes.
        while (true)
        {
            var read = await _socket.ReceiveAsync(_pending.AsMemory(_pendingLength), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the stream before its headers");
            }

            _pendingLength += read;
            var end = _pending.AsSpan(0, _pendingLength).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_pending, 0, end);
                if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && !head.StartsWith("HTTP/1.0 200", StringComparison.Ordinal))
                {
                    throw new IOException($"the stream answered: {head.Split('\r')[0]}");
                }

                _pending.AsSpan(end + 4, _pendingLength - end - 4).CopyTo(_pending);
                _pendingLength -= end + 4;
                return;
            }
        }
    }

    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        Consume(WallClock.NowMicros());
        while (_endStatus is null)
        {
            if (_pendingLength == _pending.Length)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }

            var read = await _socket.ReceiveAsync(_pending.AsMemory(_pendingLength), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return;
            }

            _pendingLength += read;
            Consume(WallClock.NowMicros());
        }
    }

    private void Consume(long arrived)
    {
        var start = 0;
        var buffer = _pending.AsSpan(0, _pendingLength);
        int newline;
        while ((newline = buffer[start..].IndexOf((byte)'\n')) >= 0)
        {
            Line(buffer.Slice(start, newline), arrived);
            start += newline + 1;
        }

        buffer[start..].CopyTo(_pending);
        _pendingLength -= start;
    }

    private void Line(ReadOnlySpan<byte> line, long arrived)
    {
        if (line.StartsWith("event: end"u8))
        {
            _ending = true;
            return;
        }

        if (!line.StartsWith("data: "u8))
        {
            return;
        }

        if (_ending)
        {
            _endStatus = line.IndexOf("\"succeeded\""u8) >= 0 ? "succeeded" : Encoding.UTF8.GetString(line);
            return;
        }

        var at = line.IndexOf(Seq);
        if (at < 0 || !Utf8Parser.TryParse(line[(at + Seq.Length)..], out long sequence, out _) || sequence != _expectedSequence++)
        {
            _ordered = false;
        }

        at = line.IndexOf(Text);
        if (at < 0)
        {
            return;
        }

        var rest = line[(at + Text.Length)..];
        if (Utf8Parser.TryParse(rest, out int number, out var used) && number >= 1 && number < _lagMicros.Length
            && Utf8Parser.TryParse(rest[(used + 1)..], out decimal printed, out _))
        {
            _lagMicros[number] = _lagMicros[number] == long.MinValue ? arrived - (long)(printed * 1_000_000m) : _lagMicros[number];
        }
    }

    public void Dispose() => _socket.Dispose();
}
