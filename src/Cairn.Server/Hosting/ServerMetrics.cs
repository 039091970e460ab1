using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Telemetry;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Cairn.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Cairn.Server.Hosting;

/// <summary>Prometheus' <c>/metrics</c>: OpenTelemetry's SDK reads the <c>Cairn</c> meter (<see cref="CairnMetrics"/> and the
/// database's gauges) and its exporter writes the text format. On the main listener <c>/metrics</c> answers only a
/// bearer token equal to the metrics token; on the listeners of <c>--metrics-urls</c> it needs none, and nothing else of
/// the server is served there. With neither, <c>/metrics</c> answers 404 and says how to turn it on.</summary>
public static class ServerMetrics
{
    /// <summary>The path Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>What <c>/metrics</c> answers in: Prometheus' text exposition format.</summary>
    public const string TextFormat = "text/plain; version=0.0.4";

    /// <summary>Registers the meter provider, its Prometheus exporter and the database's gauges, and adds the metrics
    /// listeners to the server's addresses.</summary>
    public static WebApplicationBuilder AddCairnMetrics(this WebApplicationBuilder builder, ServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Metrics.Urls.Count > 0)
        {
            builder.WebHost.UseUrls([.. settings.Urls, .. settings.Metrics.Urls]);
        }

        if (!settings.Metrics.Enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton(sp => new OperationalGauges(
            (IOperationalCounts)sp.GetRequiredService<ICairnStore>(), sp.GetRequiredService<TimeProvider>(), settings,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OperationalGauges>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationalGauges>());
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CairnTelemetry.Name)
            .AddPrometheusExporter(options =>
            {
                // The scrape is the figures as they are now; no scope or target labels beside Cairn's own.
                options.ScrapeResponseCacheDurationMilliseconds = 0;
                options.ScopeInfoEnabled = false;
                options.TargetInfoEnabled = false;
            }));
        return builder;
    }

    /// <summary>Maps <c>/metrics</c> on the main listener (behind the token) and, first in the pipeline, the metrics
    /// listeners' own: <c>/metrics</c> there, 404 for everything else.</summary>
    public static WebApplication MapCairnMetrics(this WebApplication app, ServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Metrics.Enabled)
        {
            app.MapGet(Path, () => Problems.NotFound(
                    "metrics are off: give --metrics-token-file (CAIRN_METRICS_TOKEN_FILE) to serve /metrics here to a bearer token, or --metrics-urls (CAIRN_METRICS_URLS) to serve it on a listener of its own"))
                .Open().ExcludeFromDescription();
            return app;
        }

        var exporter = ((IApplicationBuilder)app).New().UseOpenTelemetryPrometheusScrapingEndpoint(_ => true).Build();

        // Always Prometheus' text format, never OpenMetrics, whatever the scraper asks for: in OpenMetrics a counter's
        // family drops its _total, so cairn_jobs_total and the gauge cairn_jobs would be one family, and the exporter
        // leaves both out. Prometheus reads the text format whichever it prefers.
        Task scrape(HttpContext context)
        {
            context.Request.Headers.Accept = TextFormat;
            return exporter(context);
        }

        var metricsPorts = settings.Metrics.Urls.Select(MetricsSettings.PortOf).ToHashSet();
        if (metricsPorts.Count > 0)
        {
            app.Use(async (context, next) =>
            {
                if (!metricsPorts.Contains(context.Connection.LocalPort))
                {
                    await next(context);
                }
                else if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(Path, StringComparison.Ordinal))
                {
                    await scrape(context);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                }
            });
        }

        var expected = settings.Metrics.Token is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
        app.MapGet(Path, async (HttpContext context) =>
            {
                if (expected is null)
                {
                    await Problems.NotFound("/metrics is served on the metrics listener (--metrics-urls), not here").ExecuteAsync(context);
                }
                else if (!Bearer(context, expected))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await Problems.Unauthorized("send the metrics token").ExecuteAsync(context);
                }
                else
                {
                    await scrape(context);
                }
            })
            .Open().ExcludeFromDescription();
        return app;
    }

    /// <summary>Whether the request carries <c>Authorization: Bearer</c> with the metrics token, compared in constant time
    /// (as hashes, so that the length does not show either).</summary>
    private static bool Bearer(HttpContext context, byte[] expected)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
