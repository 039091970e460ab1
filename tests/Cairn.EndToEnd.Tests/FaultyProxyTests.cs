using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.EndToEnd.Tests;

/// <summary>The fault proxy the worker tests put between a worker and its server, against a loopback echo server.</summary>
public sealed class FaultyProxyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pass_CarriesBytesBothWays()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        using var client = await ConnectAsync(proxy);

        Assert.Equal("hello", await RoundTripAsync(client, "hello"));
        Assert.Equal(1, proxy.Connections);
        Assert.Equal(0, proxy.Faults);
    }

    [Fact]
    public async Task Refuse_ClosesNewConnectionsAtOnce_AndTheLiveOnesGoOn()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        using var live = await ConnectAsync(proxy);
        Assert.Equal("before", await RoundTripAsync(live, "before"));

        proxy.Refuse();
        using var refused = await ConnectAsync(proxy);

        Assert.True(await EndsAsync(refused), "a refused connection stayed open");
        Assert.Equal("after", await RoundTripAsync(live, "after"));
        Assert.Equal(1, proxy.Refused);
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task Reset_CutsLiveConnectionsWithAnRst_AndEveryNewOne()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        using var live = await ConnectAsync(proxy);
        Assert.Equal("before", await RoundTripAsync(live, "before"));

        proxy.Reset();

        var error = await Assert.ThrowsAsync<SocketException>(async () => await live.ReceiveAsync(new byte[16], SocketFlags.None, Token));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        // The RST can come as soon as the connect itself, or at the first read.
        var nextError = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var next = await ConnectAsync(proxy);
            await next.ReceiveAsync(new byte[16], SocketFlags.None, Token);
        });
        Assert.Equal(SocketError.ConnectionReset, nextError.SocketErrorCode);
        Assert.Equal(2, proxy.Resets);

        proxy.Pass();
        using var healed = await ConnectAsync(proxy);
        Assert.Equal("healed", await RoundTripAsync(healed, "healed"));
    }

    [Fact]
    public async Task Stall_HoldsEveryByte_UntilTheStallEnds_ThenTheyGoOn()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        using var client = await ConnectAsync(proxy);

        proxy.Stall();
        await client.SendAsync(Encoding.UTF8.GetBytes("held"), SocketFlags.None, Token);
        await Eventually.TrueAsync(() => proxy.Held == 1, "the proxy to hold the bytes", cancellationToken: Token);
        Assert.Equal(0, echo.Received);

        proxy.Stall(TimeSpan.FromMilliseconds(50));

        Assert.Equal("held", await ReadAsync(client, 4));
        Assert.Equal(ProxyMode.Pass, proxy.Mode);
        Assert.Equal(0, proxy.Faults);
    }

    [Fact]
    public async Task Stall_ThatEndsInACut_ResetsTheConnection_AndNothingHeldGoesThrough()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        using var client = await ConnectAsync(proxy);
        Assert.Equal("before", await RoundTripAsync(client, "before"));

        proxy.Stall();
        await client.SendAsync(Encoding.UTF8.GetBytes("never"), SocketFlags.None, Token);
        await Eventually.TrueAsync(() => proxy.Held == 1, "the proxy to hold the bytes", cancellationToken: Token);
        proxy.Stall(TimeSpan.FromMilliseconds(50), thenCut: true);

        var error = await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(new byte[16], SocketFlags.None, Token));
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.Equal("before".Length, echo.Received);
        Assert.Equal(1, proxy.Resets);
    }

    [Fact]
    public async Task Retarget_SendsNewConnectionsToTheOtherTarget_AndTheLiveOnesStay()
    {
        await using var first = new EchoServer();
        await using var second = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", first.Port);
        using var early = await ConnectAsync(proxy);
        Assert.Equal("early", await RoundTripAsync(early, "early"));

        proxy.Retarget("127.0.0.1", second.Port);
        using var late = await ConnectAsync(proxy);

        Assert.Equal("late", await RoundTripAsync(late, "late"));
        Assert.Equal("still", await RoundTripAsync(early, "still"));
        Assert.Equal(("early" + "still").Length, first.Received);
        Assert.Equal("late".Length, second.Received);
    }

    [Fact]
    public async Task Chaos_AtFullRate_CutsOrStallsEveryConnection_AndAStalledOneStillCarriesEverything()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        // Each connection sends more than the longest cut, so a cut always lands and a stall always starts.
        proxy.Chaos(seed: 7, rate: 1, longestStall: TimeSpan.FromMilliseconds(100), longestCut: 4096);

        var whole = 0;
        var broken = 0;
        for (var i = 0; i < 20; i++)
        {
            using var client = await ConnectAsync(proxy);
            if (await EchoesAllAsync(client, 8192))
            {
                whole++;
            }
            else
            {
                broken++;
            }
        }

        Assert.Equal(20, proxy.Faults);
        Assert.True(proxy.Resets > 0 && proxy.Stalls > 0, $"resets {proxy.Resets}, stalls {proxy.Stalls}: seed 7 draws both");
        Assert.Equal(proxy.Stalls, whole);
        Assert.Equal(proxy.Resets, broken);
    }

    [Fact]
    public async Task Chaos_AtRateZero_PassesEverything()
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        proxy.Chaos(seed: 7, rate: 0);

        for (var i = 0; i < 5; i++)
        {
            using var client = await ConnectAsync(proxy);
            Assert.True(await EchoesAllAsync(client, 8192));
        }

        Assert.Equal(0, proxy.Faults);
        Assert.Equal(5, proxy.Connections);
    }

    [Fact]
    public async Task Chaos_WithTheSameSeed_FaultsTheSameConnections()
    {
        var first = await ChaosOutcomesAsync(seed: 11);
        var second = await ChaosOutcomesAsync(seed: 11);

        Assert.Equal(first, second);
        Assert.Contains(true, first);
        Assert.Contains(false, first);
    }

    private static async Task<List<bool>> ChaosOutcomesAsync(int seed)
    {
        await using var echo = new EchoServer();
        await using var proxy = new FaultyProxy("127.0.0.1", echo.Port);
        proxy.Chaos(seed, rate: 0.5, longestStall: TimeSpan.FromMilliseconds(20), longestCut: 4096);
        var outcomes = new List<bool>();
        for (var i = 0; i < 12; i++)
        {
            using var client = await ConnectAsync(proxy);
            outcomes.Add(await EchoesAllAsync(client, 8192));
        }

        return outcomes;
    }

    private static async Task<Socket> ConnectAsync(FaultyProxy proxy)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port, Token);
        return socket;
    }

    private static async Task<string> RoundTripAsync(Socket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None, Token);
        return await ReadAsync(socket, Encoding.UTF8.GetByteCount(text));
    }

    private static async Task<string> ReadAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, Token);
            Assert.True(read > 0, "the connection ended early");
            filled += read;
        }

        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>Whether the connection ends (closed or reset) rather than carrying a byte.</summary>
    private static async Task<bool> EndsAsync(Socket socket)
    {
        try
        {
            await socket.SendAsync(new byte[] { 1 }, SocketFlags.None, Token);
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>Sends <paramref name="count"/> bytes and reads them back: true when every byte came back.</summary>
    private static async Task<bool> EchoesAllAsync(Socket socket, int count)
    {
        var data = new byte[count];
        Random.Shared.NextBytes(data);
        var back = new byte[count];
        try
        {
            var sending = socket.SendAsync(data, SocketFlags.None, Token).AsTask();
            var filled = 0;
            while (filled < count)
            {
                var read = await socket.ReceiveAsync(back.AsMemory(filled), SocketFlags.None, Token);
                if (read == 0)
                {
                    return false;
                }

                filled += read;
            }

            await sending;
            return data.AsSpan().SequenceEqual(back);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A TCP server on loopback that sends every byte back on the connection it came from.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private int _accepted;
        private int _received;

        public EchoServer()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = AcceptAsync();
        }

        public int Port { get; }

        public int Accepted => Volatile.Read(ref _accepted);

        public int Received => Volatile.Read(ref _received);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                    or InvalidOperationException)
                {
                    // InvalidOperationException: the listener was stopped between one accept and the next.
                    return;
                }

                Interlocked.Increment(ref _accepted);
                _ = EchoAsync(socket);
            }
        }

        private async Task EchoAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[4096];
                try
                {
                    while (true)
                    {
                        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        Interlocked.Add(ref _received, read);
                        await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
