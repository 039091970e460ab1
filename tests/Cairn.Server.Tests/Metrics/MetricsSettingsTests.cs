using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Metrics;

/// <summary>The metrics flags: off by default, the token read from its file and never repeated, and listeners that
/// must have a port of their own.</summary>
public sealed class MetricsSettingsTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void By_default_metrics_are_off()
    {
        var (settings, errors) = Bind([]);

        Assert.Empty(errors);
        Assert.False(settings!.Metrics.Enabled);
    }

    [Fact]
    public void The_token_comes_from_its_file_and_the_listeners_from_the_list()
    {
        File.WriteAllText(folder.Combine("token"), "  a-metrics-token-of-some-length\n");

        var (settings, errors) = Bind(new() { ["Metrics:TokenFile"] = folder.Combine("token"), ["Metrics:Urls"] = "http://127.0.0.1:9464, http://[::1]:9465" });

        Assert.Empty(errors);
        Assert.Equal("a-metrics-token-of-some-length", settings!.Metrics.Token);
        Assert.Equal(["http://127.0.0.1:9464", "http://[::1]:9465"], settings.Metrics.Urls);
        Assert.Contains(ServerSettings.Names, n => n == ("Metrics:TokenFile", "CAIRN_METRICS_TOKEN_FILE", "--metrics-token-file"));
        Assert.Contains(ServerSettings.Names, n => n == ("Metrics:Urls", "CAIRN_METRICS_URLS", "--metrics-urls"));
    }

    [Fact]
    public void A_short_token_a_missing_file_or_a_listener_without_a_port_of_its_own_is_refused()
    {
        File.WriteAllText(folder.Combine("short"), "tiny-secret");

        var (_, shortToken) = Bind(new() { ["Metrics:TokenFile"] = folder.Combine("short") });
        var (_, missing) = Bind(new() { ["Metrics:TokenFile"] = folder.Combine("absent") });
        var (_, samePort) = Bind(new() { ["Urls"] = "http://127.0.0.1:8080", ["Metrics:Urls"] = "http://0.0.0.0:8080" });
        var (_, noPort) = Bind(new() { ["Metrics:Urls"] = "http://127.0.0.1" });
        var (_, notHttp) = Bind(new() { ["Metrics:Urls"] = "ftp://127.0.0.1:21" });

        Assert.Contains(shortToken, e => e.Contains("--metrics-token-file", StringComparison.Ordinal) && e.Contains("shorter than 16", StringComparison.Ordinal));
        Assert.DoesNotContain(shortToken, e => e.Contains("tiny-secret", StringComparison.Ordinal));
        Assert.Contains(missing, e => e.Contains("--metrics-token-file", StringComparison.Ordinal));
        Assert.Contains(samePort, e => e.Contains("--metrics-urls", StringComparison.Ordinal) && e.Contains("8080", StringComparison.Ordinal));
        Assert.Contains(noPort, e => e.Contains("--metrics-urls", StringComparison.Ordinal));
        Assert.Contains(notHttp, e => e.Contains("--metrics-urls", StringComparison.Ordinal));
    }

    private (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(Dictionary<string, string?> given)
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), given), folder.Path);
        return (settings, [.. errors]);
    }
}
