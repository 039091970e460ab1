using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A loopback TCP proxy in front of a server that passes bytes through both ways, keeps what each client sent,
/// and can cut one connection: the first whose answer comes to hold <see cref="CutAfter"/> is closed right after the
/// bytes holding it went through, as a broken network or a restarting proxy would.</summary>
internal sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<StringBuilder> _requests = new();
    private readonly Task _accepting;
    private int _cuts;

    public DroppingProxy(string upstream)
    {
        _upstream = new Uri(upstream);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>The text after which one connection is cut; null cuts none.</summary>
    public string? CutAfter { get; set; }

    /// <summary>How many connections were cut.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Everything the clients sent, a string per connection.</summary>
    public IReadOnlyList<string> Requests => [.. _requests.Select(r => { lock (r) { return r.ToString(); } })];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
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
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            var sent = new StringBuilder();
            _requests.Enqueue(sent);
            try
            {
                await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
                using var broken = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = CopyAsync(client.GetStream(), server.GetStream(), sent, cut: false, broken.Token);
                var down = CopyAsync(server.GetStream(), client.GetStream(), new StringBuilder(), cut: true, broken.Token);
                await Task.WhenAny(up, down);
                await broken.CancelAsync();
                await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                // Either side went away: so does the other.
            }
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, StringBuilder seen, bool cut, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            lock (seen)
            {
                seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            if (cut && CutAfter is { } marker && seen.ToString().Contains(marker, StringComparison.Ordinal))
            {
                CutAfter = null;
                Interlocked.Increment(ref _cuts);
                return;
            }
        }
    }
}
