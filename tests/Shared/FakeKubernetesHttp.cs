using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Testing;

/// <summary>One request to the <see cref="FakeKubernetesApi"/>: method, path, query and body.</summary>
public sealed record FakeKubernetesRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string Body)
{
    public string? this[string name] => Query.TryGetValue(name, out var value) ? value : null;

    /// <summary>Every query parameter in order, repeated names included (<c>command=…&amp;command=…</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryPairs { get; init; } = [];

    /// <summary>The request's headers (names case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The values of query parameter <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> All(string name) => [.. QueryPairs.Where(p => p.Key == name).Select(p => p.Value)];
}

/// <summary>The small HTTP/1.1 server under the <see cref="FakeKubernetesApi"/>: one request per connection (every
/// answer closes it), plain answers with a length, streams (watches, followed logs) chunked until the handler returns.
/// Only the base class library, so it builds in every test project.</summary>
public sealed class FakeKubernetesHttp : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<FakeKubernetesRequest, FakeKubernetesResponse, CancellationToken, Task> _handle;
    private readonly Task _accepting;

    public FakeKubernetesHttp(Func<FakeKubernetesRequest, FakeKubernetesResponse, CancellationToken, Task> handle)
    {
        _handle = handle;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = Task.Run(AcceptAsync);
    }

    public Uri Address { get; }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception error) when (error is SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }

                var response = new FakeKubernetesResponse(stream);
                await _handle(request, response, _stop.Token);
                await response.FinishAsync(_stop.Token);
            }
            catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<FakeKubernetesRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = "";
        if (headers.TryGetValue("Content-Length", out var length) && int.Parse(length, CultureInfo.InvariantCulture) is > 0 and var size)
        {
            var buffer = new byte[size];
            await stream.ReadExactlyAsync(buffer, cancellationToken);
            body = Encoding.UTF8.GetString(buffer);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(stream, cancellationToken);
        }

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        var pairs = new List<KeyValuePair<string, string>>();
        if (question >= 0)
        {
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                query[key] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
                pairs.Add(new(key, query[key]));
            }
        }

        return new FakeKubernetesRequest(parts[0], Uri.UnescapeDataString(path), query, body) { QueryPairs = pairs, Headers = headers };
    }

    private static async Task<string> ReadChunkedAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, cancellationToken);
            var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadLineAsync(stream, cancellationToken);
                return Encoding.UTF8.GetString(body.ToArray());
            }

            var buffer = new byte[size];
            await stream.ReadExactlyAsync(buffer, cancellationToken);
            body.Write(buffer);
            await ReadLineAsync(stream, cancellationToken);
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) > 0 && one[0] != '\n')
        {
            if (one[0] != '\r')
            {
                line.Append((char)one[0]);
            }
        }

        return line.ToString();
    }
}

/// <summary>An answer being written: <see cref="SendAsync"/> once, or <see cref="StartStreamAsync"/> then
/// <see cref="WriteAsync"/> as often as needed.</summary>
public sealed class FakeKubernetesResponse(Stream stream)
{
    private bool _streaming;
    private bool _sent;

    public async Task SendAsync(int status, string body, CancellationToken cancellationToken, string contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        _sent = true;
    }

    /// <summary>Answers a WebSocket upgrade (101 with <paramref name="protocol"/>) and returns the server's side of it.</summary>
    public async Task<System.Net.WebSockets.WebSocket> AcceptWebSocketAsync(string key, string protocol, CancellationToken cancellationToken)
    {
#pragma warning disable CA5350 // The WebSocket handshake (RFC 6455) is defined with SHA-1; it protects nothing.
        var accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        var head = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        _sent = true;
        return System.Net.WebSockets.WebSocket.CreateFromStream(stream, new System.Net.WebSockets.WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = protocol,
            KeepAliveInterval = TimeSpan.Zero,
        });
    }

    public async Task StartStreamAsync(string contentType, CancellationToken cancellationToken)
    {
        var head = $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        _streaming = true;
        _sent = true;
    }

    public async Task WriteAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return;
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(bytes.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    internal async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_streaming)
        {
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        else if (!_sent)
        {
            await SendAsync(500, "{}", cancellationToken);
        }
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        _ => "Status",
    };
}
