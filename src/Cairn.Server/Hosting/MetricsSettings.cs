namespace Cairn.Server.Hosting;

/// <summary>How Prometheus reaches <c>/metrics</c>: on the main listener with a bearer token read from a file
/// (<see cref="Token"/>), and/or on listeners of its own (<see cref="Urls"/>) that serve <c>/metrics</c> without a token and
/// nothing else. With neither, <c>/metrics</c> is off. The token is never printed.</summary>
public sealed record MetricsSettings(string? Token, IReadOnlyList<string> Urls)
{
    public static MetricsSettings Off { get; } = new(null, []);

    /// <summary>True when <c>/metrics</c> is served somewhere.</summary>
    public bool Enabled => Token is not null || Urls.Count > 0;

    /// <summary>The settings' keys (in the Cairn section), variables and options, in the form of ServerSettings.Names.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("Metrics:TokenFile", "CAIRN_METRICS_TOKEN_FILE", "--metrics-token-file"),
        ("Metrics:Urls", "CAIRN_METRICS_URLS", "--metrics-urls"),
    ];

    internal static MetricsSettings Bind(Func<string, string?> get, Action<string, string> fail, string workingDirectory, IReadOnlyList<string> mainUrls)
    {
        string? token = null;
        if (get("Metrics:TokenFile") is { Length: > 0 } file)
        {
            var path = Path.GetFullPath(file, workingDirectory);
            try
            {
                token = File.ReadAllText(path).Trim();
                if (token.Length < 16)
                {
                    fail("Metrics:TokenFile", $"the metrics token in {path} is shorter than 16 characters");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                fail("Metrics:TokenFile", $"the metrics token cannot be read from {path}: {ex.Message}");
            }
        }

        var urls = (get("Metrics:Urls") ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mainPorts = mainUrls.Select(PortOf).ToHashSet();
        foreach (var url in urls)
        {
            var port = PortOf(url);
            if (port <= 0)
            {
                fail("Metrics:Urls", $"'{url}' is not an http:// address with a port of its own to serve /metrics on (e.g. http://127.0.0.1:9464)");
            }
            else if (mainPorts.Contains(port))
            {
                fail("Metrics:Urls", $"'{url}' uses port {port}, which the server's main listener (--urls) has: give /metrics a port of its own");
            }
        }

        return new MetricsSettings(token, urls);
    }

    /// <summary>The port an <c>http://host:port</c> address names; 0 when it names none or is not one.</summary>
    internal static int PortOf(string url)
    {
        var normal = url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal);
        return Uri.TryCreate(normal, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !uri.IsDefaultPort ? uri.Port : 0;
    }
}
