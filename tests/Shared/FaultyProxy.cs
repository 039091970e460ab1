using System.Net;
using System.Net.Sockets;

namespace Cairn.Testing;

/// <summary>What a <see cref="FaultyProxy"/> does with the connections it carries.</summary>
public enum ProxyMode
{
    /// <summary>Every byte goes through.</summary>
    Pass,

    /// <summary>A new connection is accepted and closed at once, before a byte reaches the target.</summary>
    Refuse,

    /// <summary>A new connection is accepted and reset (RST) at once; the live ones were reset when the mode was set.</summary>
    Reset,

    /// <summary>Nothing is forwarded, either way, until the stall ends (then it goes on, or every connection is cut).</summary>
    Stall,

    /// <summary>Each new connection, at random, is cut with an RST after some bytes, is held for a while once, or passes.</summary>
    Chaos,
}

/// <summary>
/// A TCP proxy on loopback between a test's client and a real server, whose behaviour can be switched while it runs:
/// it passes bytes, refuses new connections, resets live ones, stalls, or — in chaos mode — cuts and stalls connections
/// at random from a seed, so a failure can be run again the same way. It counts what it did, so a test can show that
/// faults really happened. Disposing it closes every connection and the listener.
/// </summary>
public sealed class FaultyProxy : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly TcpListener _listener;
    private string _targetHost;
    private int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Link> _links = [];
    private readonly Task _accepting;

    private ProxyMode _mode = ProxyMode.Pass;
    private TaskCompletionSource _stallEnded = Completed();
    private Random _chaos = new(0);
    private double _chaosRate;
    private TimeSpan _chaosLongestStall;
    private long _chaosLongestCut;

    private int _connections;
    private int _refused;
    private int _resets;
    private int _stalls;
    private long _held;
    private long _forwarded;

    /// <summary>Starts listening on 127.0.0.1 at a free port, forwarding to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    public FaultyProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stopping.Token);
    }

    /// <summary>The proxy's own port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>: the address a client is given instead of the target's.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>What the proxy does now.</summary>
    public ProxyMode Mode
    {
        get
        {
            lock (_gate)
            {
                return _mode;
            }
        }
    }

    /// <summary>Connections accepted so far (refused ones included).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections closed on arrival in <see cref="ProxyMode.Refuse"/>.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Connections cut with an RST: by <see cref="Reset"/>, a stall that ends in a cut, or chaos.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>Connections held by a chaos stall.</summary>
    public int Stalls => Volatile.Read(ref _stalls);

    /// <summary>Every fault the proxy caused: refusals, resets and stalls.</summary>
    public int Faults => Refused + Resets + Stalls;

    /// <summary>Chunks of bytes waiting, right now, for a stall to end before they are forwarded.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Bytes forwarded so far, both ways.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Connections open through the proxy now.</summary>
    public int Live
    {
        get
        {
            lock (_gate)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>Sends new connections to another target from now on (another replica behind the same address); the live
    /// ones stay where they are until they end or are <see cref="Reset"/>.</summary>
    public void Retarget(string targetHost, int targetPort)
    {
        lock (_gate)
        {
            _targetHost = targetHost;
            _targetPort = targetPort;
        }
    }

    /// <summary>Lets every byte through again, ending a stall (the held bytes go on) and chaos for new connections.</summary>
    public void Pass() => Switch(ProxyMode.Pass);

    /// <summary>Closes each new connection as soon as it is accepted; the live ones go on.</summary>
    public void Refuse() => Switch(ProxyMode.Refuse);

    /// <summary>Cuts every live connection with an RST, and each new one as soon as it arrives, until the mode changes.</summary>
    public void Reset()
    {
        TaskCompletionSource stall;
        lock (_gate)
        {
            _mode = ProxyMode.Reset;
            stall = _stallEnded;
        }

        // Cut before a stall lets go, so no held byte slips through.
        EndStall(stall, cut: true);
    }

    /// <summary>Stops forwarding, both ways and on every connection, for <paramref name="duration"/> (until another mode
    /// is set when null); then bytes go on, or with <paramref name="thenCut"/> every connection is cut with an RST.</summary>
    public void Stall(TimeSpan? duration = null, bool thenCut = false)
    {
        TaskCompletionSource ended;
        lock (_gate)
        {
            _mode = ProxyMode.Stall;
            if (_stallEnded.Task.IsCompleted)
            {
                _stallEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            ended = _stallEnded;
        }

        if (duration is { } wait)
        {
            _ = EndStallLaterAsync(ended, wait, thenCut);
        }
    }

    /// <summary>From now on each new connection, with probability <paramref name="rate"/>, is either cut with an RST after
    /// a random number of bytes (up to <paramref name="longestCut"/>, 64 KiB unless named) or held once, at a random point,
    /// for a random time up to <paramref name="longestStall"/> (2 s unless named); the rest pass. The draws come from
    /// <paramref name="seed"/>, in the order connections arrive.</summary>
    public void Chaos(int seed, double rate, TimeSpan? longestStall = null, long? longestCut = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        lock (_gate)
        {
            _chaos = new Random(seed);
            _chaosRate = rate;
            _chaosLongestStall = longestStall ?? TimeSpan.FromSeconds(2);
            _chaosLongestCut = longestCut ?? 64 * 1024;
        }

        Switch(ProxyMode.Chaos);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var link in Snapshot())
        {
            link.Close(reset: false);
        }

        lock (_gate)
        {
            _stallEnded.TrySetResult();
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private void Switch(ProxyMode mode)
    {
        TaskCompletionSource stall;
        lock (_gate)
        {
            _mode = mode;
            stall = _stallEnded;
        }

        EndStall(stall, cut: false);
    }

    private async Task EndStallLaterAsync(TaskCompletionSource stall, TimeSpan wait, bool thenCut)
    {
        try
        {
            await Task.Delay(wait, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            if (stall.Task.IsCompleted)
            {
                // Another mode ended this stall first.
                return;
            }

            if (_stallEnded == stall && _mode == ProxyMode.Stall)
            {
                _mode = ProxyMode.Pass;
            }
        }

        EndStall(stall, thenCut);
    }

    private void EndStall(TaskCompletionSource stall, bool cut)
    {
        if (cut)
        {
            foreach (var link in Snapshot())
            {
                Cut(link);
            }
        }

        stall.TrySetResult();
    }

    private List<Link> Snapshot()
    {
        lock (_gate)
        {
            return [.. _links];
        }
    }

    private void Cut(Link link) => link.Close(reset: true, () => Interlocked.Increment(ref _resets));

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = CarryAsync(client, cancellationToken);
        }
    }

    private async Task CarryAsync(Socket client, CancellationToken cancellationToken)
    {
        ChaosPlan plan;
        ProxyMode mode;
        string host;
        int port;
        lock (_gate)
        {
            mode = _mode;
            (host, port) = (_targetHost, _targetPort);
            plan = mode == ProxyMode.Chaos ? ChaosPlan.Draw(_chaos, _chaosRate, _chaosLongestStall, _chaosLongestCut) : ChaosPlan.None;
        }

        if (mode == ProxyMode.Refuse)
        {
            Interlocked.Increment(ref _refused);
            client.Close();
            return;
        }

        var link = new Link(client);
        if (mode == ProxyMode.Reset)
        {
            Cut(link);
            return;
        }

        try
        {
            var target = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            link.Target = target;
            lock (_gate)
            {
                _links.Add(link);
            }

            await target.ConnectAsync(host, port, cancellationToken);
            client.NoDelay = true;
            await Task.WhenAll(
                PumpAsync(link, client, target, plan, cancellationToken),
                PumpAsync(link, target, client, plan, cancellationToken));
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _links.Remove(link);
            }

            link.Close(reset: false);
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, ChaosPlan plan, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    // The other side sends no more; pass the half-close on so request-then-close clients still work.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await WaitOutStallsAsync(link, plan, read, cancellationToken);
                var allowed = link.Allow(plan, read);
                if (allowed < read)
                {
                    if (allowed > 0)
                    {
                        await to.SendAsync(buffer.AsMemory(0, allowed), SocketFlags.None, cancellationToken);
                    }

                    Cut(link);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
                Interlocked.Add(ref _forwarded, read);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Either side went away (or the proxy cut it): the whole link goes.
            link.Close(reset: link.WasCut);
        }
    }

    private async Task WaitOutStallsAsync(Link link, ChaosPlan plan, int read, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task stall;
            lock (_gate)
            {
                stall = _stallEnded.Task;
            }

            if (stall.IsCompleted)
            {
                break;
            }

            Interlocked.Increment(ref _held);
            try
            {
                await stall.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        if (link.TakeStall(plan, read))
        {
            Interlocked.Increment(ref _stalls);
            await Task.Delay(plan.StallFor, cancellationToken);
        }
    }

    /// <summary>What chaos does to one connection: cut after <see cref="CutAfter"/> bytes, or hold it for
    /// <see cref="StallFor"/> once <see cref="StallAfter"/> bytes went through; neither for a connection that passes.</summary>
    private sealed record ChaosPlan(long? CutAfter, long StallAfter, TimeSpan StallFor)
    {
        public static readonly ChaosPlan None = new(null, long.MaxValue, TimeSpan.Zero);

        public static ChaosPlan Draw(Random random, double rate, TimeSpan longestStall, long longestCut)
        {
            if (random.NextDouble() >= rate)
            {
                return None;
            }

            return random.Next(2) == 0
                ? new ChaosPlan(random.NextInt64(0, longestCut + 1), long.MaxValue, TimeSpan.Zero)
                : new ChaosPlan(null, random.NextInt64(0, longestCut + 1), TimeSpan.FromMilliseconds(random.NextDouble() * longestStall.TotalMilliseconds));
        }
    }

    /// <summary>One client connection and its connection to the target.</summary>
    private sealed class Link(Socket client)
    {
        private readonly Lock _lock = new();
        private long _bytes;
        private bool _stalled;
        private bool _closed;

        public Socket? Target { get; set; }

        public bool WasCut { get; private set; }

        /// <summary>How many of the next <paramref name="count"/> bytes may go before the plan's cut.</summary>
        public int Allow(ChaosPlan plan, int count)
        {
            lock (_lock)
            {
                var allowed = plan.CutAfter is { } cut ? (int)Math.Clamp(cut - _bytes, 0, count) : count;
                _bytes += allowed;
                return allowed;
            }
        }

        /// <summary>Whether this chunk is the one the plan holds (once per connection).</summary>
        public bool TakeStall(ChaosPlan plan, int count)
        {
            lock (_lock)
            {
                if (_stalled || plan.StallFor <= TimeSpan.Zero || _bytes + count <= plan.StallAfter)
                {
                    return false;
                }

                _stalled = true;
                return true;
            }
        }

        /// <summary>Closes both sockets, with an RST when <paramref name="reset"/>; the first time only, and then
        /// <paramref name="first"/> runs before the sockets close (so a count is right by the time a peer sees the close).</summary>
        public void Close(bool reset, Action? first = null)
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                WasCut = reset;
            }

            first?.Invoke();

            foreach (var socket in new[] { client, Target })
            {
                if (socket is null)
                {
                    continue;
                }

                try
                {
                    if (reset)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }

                    socket.Close();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
