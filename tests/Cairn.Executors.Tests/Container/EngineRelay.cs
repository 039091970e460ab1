using System.Net.Sockets;

namespace Cairn.Executors.Tests.Container;

/// <summary>A unix socket in front of the real engine's that passes every byte until <see cref="Cut"/>: then every
/// connection through it is closed and nobody listens any more, as when the engine (or the way to it) goes away.</summary>
internal sealed class EngineRelay : IAsyncDisposable
{
    private readonly string _engineSocket;
    private readonly Socket _listener;
    private readonly Lock _gate = new();
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private bool _cut;

    /// <summary>Listens on <paramref name="path"/> (a stale socket file there is replaced) and relays to the engine at
    /// <paramref name="engineAddress"/> (<c>unix:///…</c>).</summary>
    public EngineRelay(string engineAddress, string path)
    {
        _engineSocket = engineAddress.StartsWith("unix://", StringComparison.Ordinal)
            ? engineAddress["unix://".Length..]
            : throw new ArgumentException($"'{engineAddress}' is not a unix socket address", nameof(engineAddress));
        File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        Address = $"unix://{path}";
        _accepting = AcceptAsync();
    }

    /// <summary>The address to give a client instead of the engine's.</summary>
    public string Address { get; }

    /// <summary>Closes every connection and stops listening: a new connection is refused from now on.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _cut = true;
            _listener.Close();
            _open.ForEach(socket => socket.Dispose());
            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _accepting;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync();
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
                return;
            }

            var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            lock (_gate)
            {
                if (_cut)
                {
                    client.Dispose();
                    engine.Dispose();
                    return;
                }

                _open.Add(client);
                _open.Add(engine);
            }

            _ = RelayAsync(client, engine);
        }
    }

    private async Task RelayAsync(Socket client, Socket engine)
    {
        try
        {
            await engine.ConnectAsync(new UnixDomainSocketEndPoint(_engineSocket));
            await using var fromClient = new NetworkStream(client, ownsSocket: true);
            await using var toEngine = new NetworkStream(engine, ownsSocket: true);
            await Task.WhenAny(fromClient.CopyToAsync(toEngine), toEngine.CopyToAsync(fromClient));
        }
        catch (Exception error) when (error is SocketException or IOException or ObjectDisposedException)
        {
            // Cut, or one side went away: the other is closed below.
        }
        finally
        {
            client.Dispose();
            engine.Dispose();
        }
    }
}
