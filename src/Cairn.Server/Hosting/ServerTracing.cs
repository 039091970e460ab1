using Cairn.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cairn.Server.Hosting;

/// <summary>OpenTelemetry's tracer provider over Cairn's activity source: every run gets a trace id (sampled always,
/// unless a caller's context says otherwise), and spans leave the process only when an OTLP endpoint is configured
/// through the standard <c>OTEL_EXPORTER_OTLP_*</c> variables, which the exporter reads itself (protocol, headers,
/// timeout). The service is named by <c>OTEL_SERVICE_NAME</c>, else <c>cairn-server</c> or <c>cairn-worker</c>.</summary>
public static class ServerTracing
{
    public const string ServerService = "cairn-server";

    public const string WorkerService = "cairn-worker";

    internal static IServiceCollection AddCairnTracing(this IServiceCollection services, ServerRuntime runtime)
    {
        services.AddOpenTelemetry().WithTracing(tracing => Configure(tracing, ServerService, runtime.Tracing));
        return services;
    }

    /// <summary>A tracer provider of its own, for a process without a host (<c>cairn worker</c>): dispose it to flush.</summary>
    public static TracerProvider CreateProvider(string defaultService, Action<TracerProviderBuilder>? configure = null)
    {
        var builder = Sdk.CreateTracerProviderBuilder();
        Configure(builder, defaultService, configure);
        return builder.Build();
    }

    /// <summary>Whether the environment names an OTLP endpoint for traces.</summary>
    public static bool ExportsTraces(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    }

    private static void Configure(TracerProviderBuilder tracing, string defaultService, Action<TracerProviderBuilder>? configure)
    {
        var service = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } named ? named : defaultService;
        tracing
            .ConfigureResource(resource => resource.AddService(service, serviceVersion: CairnTelemetry.Source.Version))
            .AddSource(CairnTelemetry.Name)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()));
        if (ExportsTraces(Environment.GetEnvironmentVariable))
        {
            tracing.AddOtlpExporter();
        }

        configure?.Invoke(tracing);
    }
}
