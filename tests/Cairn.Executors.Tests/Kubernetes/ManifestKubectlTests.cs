using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>kubectl reads the manifests Cairn writes: <c>kubectl apply --dry-run=client --validate=false</c> over the
/// golden files. kubectl asks a server what kinds exist even for a client dry run, so a stand-in on loopback answers
/// its discovery (core v1 with pods and secrets) and says every object is new; no cluster is involved.</summary>
public sealed class ManifestKubectlTests
{
    [KubectlFact]
    public async Task Kubectl_AcceptsTheGoldenManifests()
    {
        var token = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        using var discovery = new DiscoveryStandIn();
        var kubeconfig = dir.WriteFile("kubeconfig", "");

        foreach (var name in new[] { "full", "minimal" })
        {
            var yaml = await File.ReadAllTextAsync(Path.Combine(ManifestGoldenTests.GoldenFolder(), name + ".yaml"), token);
            var start = new ProcessStartInfo(Engines.Kubectl!)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--server", discovery.Url, "--cache-dir", dir.Combine("cache"), "apply", "--dry-run=client", "--validate=false", "-f", "-" })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["KUBECONFIG"] = kubeconfig;
            using var kubectl = Process.Start(start)!;
            await kubectl.StandardInput.WriteAsync(yaml.AsMemory(), token);
            kubectl.StandardInput.Close();
            var output = kubectl.StandardOutput.ReadToEndAsync(token);
            var errors = kubectl.StandardError.ReadToEndAsync(token);
            await kubectl.WaitForExitAsync(token);

            Assert.True(kubectl.ExitCode == 0, $"kubectl rejected {name}.yaml: {await errors}");
            Assert.Equal(["pod/cairn-42-7-1 created (dry run)", "secret/cairn-42-7-1 created (dry run)"], (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>Answers kubectl's discovery for core v1, and 404 for every object.</summary>
    private sealed class DiscoveryStandIn : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public DiscoveryStandIn()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string Url { get; }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var (status, body) = context.Request.Url!.AbsolutePath switch
                {
                    "/api" => (200, """{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}"""),
                    "/apis" => (200, """{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"""),
                    "/api/v1" => (200, """{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["create","get","patch","delete"]},{"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["create","get","patch","delete"]}]}"""),
                    _ => (404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
                };
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(10));
        }
    }
}
