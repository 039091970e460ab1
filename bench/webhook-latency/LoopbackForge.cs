using System.Net;
using System.Net.Sockets;

namespace Cairn.Bench.WebhookLatency;

/// <summary>Stands in for GitHub's API on loopback: takes every commit status the server sends (201), so that
/// statuses are delivered as they would be and nothing leaves the host or waits on retries.</summary>
internal sealed class LoopbackForge : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private int _statuses;

    public LoopbackForge()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            ApiUrl = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }

        _listener.Prefixes.Add(ApiUrl);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string ApiUrl { get; }

    public int Statuses => Volatile.Read(ref _statuses);

    public void Dispose()
    {
        _listener.Close();
        _serving.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (context.Request.Url?.AbsolutePath.Contains("/statuses/", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref _statuses);
            }

            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync("{}"u8.ToArray());
            context.Response.Close();
        }
    }
}
