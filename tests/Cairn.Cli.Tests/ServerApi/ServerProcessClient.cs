using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>Reaching a real <c>cairn server</c> process a test started: a free loopback port for it, and an API client
/// with its admin token once it answers <c>/healthz</c>.</summary>
internal static class ServerProcessClient
{
    public static async Task<HttpClient> ConnectAsync(string url, string data, CancellationToken cancellationToken)
    {
        var api = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var health = await api.GetAsync("/healthz", cancellationToken);
                    return health.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the server to answer /healthz",
            TimeSpan.FromSeconds(30),
            cancellationToken);
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"), cancellationToken)).Trim();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
