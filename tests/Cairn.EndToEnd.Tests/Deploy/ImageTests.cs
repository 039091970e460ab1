using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cairn.Cli.Tests;

namespace Cairn.EndToEnd.Tests.Deploy;

/// <summary>Cairn's image (deploy/docker/Dockerfile, built by deploy/docker/build-local.sh) run as an operator runs it:
/// the server as its non-root user on a published loopback port, a repository added and a run triggered with the
/// cairn inside it, the run's verdict and log read back over HTTP.</summary>
public sealed class ImageTests
{
    private const string CairnUid = "10001";

    // A git repository made inside the container, added with a file:// clone URL, and run through the server.
    private const string AddAndTrigger = """
        set -eu
        mkdir -p /tmp/demo && cd /tmp/demo
        git init -q -b main
        git config user.email ci@example.org
        git config user.name ci
        cat > .cairn.yml <<'YAML'
        name: demo
        on:
          manual: {}
        jobs:
          greet:
            steps:
              - run: echo "hello from the image as $(id -un) uid $(id -u)"
        YAML
        git add .cairn.yml
        git commit -q -m demo
        cd /var/lib/cairn
        export CAIRN_TOKEN="$(cat admin.token)"
        cairn repo add demo/hello --forge gitea --clone-url file:///tmp/demo
        cairn trigger demo/hello --wait
        cairn logs 1
        """;

    [ContainerImageFact]
    public async Task Image_ServesHealthz_AndRunsAPipelineThroughTheServer_AsItsOwnUser()
    {
        var cancel = TestContext.Current.CancellationToken;
        var image = await EnsureImageAsync(cancel);
        var name = "cairn-image-test-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var started = await PodmanCli.PodmanAsync(["run", "-d", "--name", name, "-p", "127.0.0.1::8080", image], cancel);
            Assert.True(started.ExitCode == 0, started.ToString());

            var port = await PodmanCli.PodmanAsync(["port", name, "8080/tcp"], cancel);
            Assert.True(port.ExitCode == 0, port.ToString());
            using var http = new HttpClient { BaseAddress = new Uri("http://" + port.Stdout.Trim().Split('\n')[0].Trim()) };
            await Eventually.TrueAsync(
                async () =>
                {
                    try
                    {
                        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancel);
                        return health.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                $"the server in {image} to answer /healthz", TimeSpan.FromSeconds(90), cancel);

            // Every process in the container, tini and the server, runs as the image's user, not root: cairn inside,
            // uid 10001 on the host (podman's own descriptors: the image has no ps).
            var top = await PodmanCli.PodmanAsync(["top", name, "user", "huser", "args"], cancel);
            Assert.True(top.ExitCode == 0, top.ToString());
            var processes = top.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).ToList();
            Assert.Contains(processes, p => p.Contains("cairn server", StringComparison.Ordinal));
            Assert.All(processes, p => Assert.Equal(["cairn", CairnUid], p.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries)[..2]));

            var run = await PodmanCli.PodmanAsync(["exec", "-i", name, "bash", "-s"], cancel, stdin: AddAndTrigger, timeout: TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"hello from the image as cairn uid {CairnUid}", run.Stdout, StringComparison.Ordinal);

            var token = await PodmanCli.PodmanAsync(["exec", name, "cat", "/var/lib/cairn/admin.token"], cancel);
            Assert.True(token.ExitCode == 0, token.ToString());
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Stdout.Trim());
            using var runJson = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/v1/runs/1", UriKind.Relative), cancel));
            Assert.Equal("succeeded", runJson.RootElement.GetProperty("status").GetString());
            var job = runJson.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64();
            var log = await http.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/api/v1/runs/1/jobs/{job}/log.txt"), UriKind.Relative), cancel);
            Assert.Contains($"hello from the image as cairn uid {CairnUid}", log, StringComparison.Ordinal);
        }
        finally
        {
            await PodmanCli.PodmanAsync(["rm", "-f", "-t", "0", name], CancellationToken.None);
        }
    }

    [ContainerImageFact]
    public async Task Image_RunsTheWorker_WithTheSameEntrypoint()
    {
        var cancel = TestContext.Current.CancellationToken;
        var image = await EnsureImageAsync(cancel);
        var help = await PodmanCli.PodmanAsync(["run", "--rm", image, "worker", "--help"], cancel);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--server", help.Stdout, StringComparison.Ordinal);

        // Without a store or a server to take jobs from, the worker says so and stops: it is the real cairn worker.
        var refused = await PodmanCli.PodmanAsync(["run", "--rm", image, "worker"], cancel);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("CAIRN_CONNECTION", refused.Stderr, StringComparison.Ordinal);
    }

    private static readonly SemaphoreSlim Building = new(1, 1);

    /// <summary>The image CAIRN_TEST_CAIRN_IMAGE names, built with deploy/docker/build-local.sh when it is missing.</summary>
    private static async Task<string> EnsureImageAsync(CancellationToken cancellationToken)
    {
        var image = ContainerImageFactAttribute.Image!;
        await Building.WaitAsync(cancellationToken);
        try
        {
            if ((await PodmanCli.PodmanAsync(["image", "exists", image], cancellationToken)).ExitCode == 0)
            {
                return image;
            }

            var script = Path.Combine(BuildLayout.RepositoryRoot, "deploy", "docker", "build-local.sh");
            var built = await PodmanCli.RunAsync(script, [image], cancellationToken, timeout: TimeSpan.FromMinutes(15), workingDirectory: BuildLayout.RepositoryRoot);
            Assert.True(built.ExitCode == 0, built.ToString());
            return image;
        }
        finally
        {
            Building.Release();
        }
    }
}
