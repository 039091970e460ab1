using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Tests;

/// <summary>The status, headers and body of an answer read off the socket.</summary>
public sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>HTTP/1.1 by hand on one loopback connection, for what HttpClient will not do on request: announce a length
/// and send none of it, stop a chunked body half way, or read the answer while the body is still going out.</summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly string _host;

    private RawHttp(TcpClient client, string host)
    {
        _client = client;
        _stream = client.GetStream();
        _host = host;
    }

    public static async Task<RawHttp> ConnectAsync(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        return new RawHttp(client, uri.Authority);
    }

    /// <summary>Sends <c>POST path</c> and its headers; the body is sent separately (with Content-Length, or chunked).</summary>
    public async Task SendHeadAsync(string path, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var head = new StringBuilder($"POST {path} HTTP/1.1\r\nHost: {_host}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
    }

    /// <summary>Sends body bytes; false once the server has closed the connection.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends one chunk of a chunked body (an empty one ends it); false once the server has closed the connection.</summary>
    public async Task<bool> SendChunkAsync(ReadOnlyMemory<byte> bytes) =>
        await SendAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"))
        && (bytes.IsEmpty || await SendAsync(bytes))
        && await SendAsync("\r\n"u8.ToArray());

    /// <summary>Reads the answer's head and its body (by Content-Length, chunked, or to the end of the connection).</summary>
    public async Task<RawAnswer> ReadAnswerAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int end;
        while ((end = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await _stream.ReadAsync(buffer, limit.Token);
            if (read == 0)
            {
                throw new IOException($"the connection closed before an answer's head: '{Encoding.ASCII.GetString(received.ToArray())}'");
            }

            received.Write(buffer, 0, read);
        }

        var lines = Encoding.ASCII.GetString(received.GetBuffer(), 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = new MemoryStream();
        body.Write(received.GetBuffer(), end + 4, (int)received.Length - end - 4);
        var length = headers.TryGetValue("Content-Length", out var declared) ? int.Parse(declared, CultureInfo.InvariantCulture) : (int?)null;
        var chunked = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        while (!(length is { } n ? body.Length >= n : chunked && IndexOf(body, "0\r\n\r\n"u8) >= 0))
        {
            var read = await ReadSomeAsync(buffer, limit.Token);
            if (read == 0)
            {
                break;
            }

            body.Write(buffer, 0, read);
        }

        var bytes = body.ToArray();
        return new RawAnswer(status, headers, Encoding.UTF8.GetString(chunked ? Unchunk(bytes) : bytes));
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    private async Task<int> ReadSomeAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int IndexOf(MemoryStream stream, ReadOnlySpan<byte> value) =>
        stream.GetBuffer().AsSpan(0, (int)stream.Length).IndexOf(value);

    private static byte[] Unchunk(byte[] chunked)
    {
        var plain = new MemoryStream();
        var at = 0;
        while (at < chunked.Length)
        {
            var line = chunked.AsSpan(at).IndexOf("\r\n"u8);
            var size = int.Parse(Encoding.ASCII.GetString(chunked, at, line), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            plain.Write(chunked, at + line + 2, size);
            at += line + 2 + size + 2;
        }

        return plain.ToArray();
    }
}
