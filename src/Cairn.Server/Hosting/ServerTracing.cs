using Cairn.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
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
        // The process's environment as it started: a server or worker strips its own before any job runs, so that what it
        // starts itself inherits nothing it does not need (OTLP headers may hold a credential); the exporter is given
        // what the OTEL_* variables said instead of reading them.
        var environment = Core.Execution.StepEnvironmentPolicy.HostEnvironment();
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var service = Get("OTEL_SERVICE_NAME") ?? defaultService;
        tracing
            .ConfigureResource(resource => resource
                .AddService(service, serviceVersion: CairnTelemetry.Source.Version)
                .AddAttributes(ResourceAttributes(Get("OTEL_RESOURCE_ATTRIBUTES"))))
            .AddSource(CairnTelemetry.Name)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()));
        if (ExportsTraces(Get))
        {
            tracing.AddOtlpExporter(options => ApplyExporterSettings(options, Get));
        }

        configure?.Invoke(tracing);
    }

    /// <summary>The OTLP exporter's settings as the standard variables give them: the traces' own endpoint as it is, else
    /// the shared endpoint (with <c>/v1/traces</c> after it over HTTP), the protocol, the headers and the timeout
    /// (the traces' own variable before the shared one).</summary>
    internal static void ApplyExporterSettings(OtlpExporterOptions options, Func<string, string?> get)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(get);
        string? Either(string suffix) => get("OTEL_EXPORTER_OTLP_TRACES_" + suffix) ?? get("OTEL_EXPORTER_OTLP_" + suffix);
        switch (Either("PROTOCOL"))
        {
            case "grpc":
                options.Protocol = OtlpExportProtocol.Grpc;
                break;
            case "http/protobuf":
                options.Protocol = OtlpExportProtocol.HttpProtobuf;
                break;
        }

        if (get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { } traces && Uri.TryCreate(traces, UriKind.Absolute, out var tracesUri))
        {
            options.Endpoint = tracesUri;
        }
        else if (get("OTEL_EXPORTER_OTLP_ENDPOINT") is { } shared && Uri.TryCreate(shared, UriKind.Absolute, out var sharedUri))
        {
            options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(sharedUri.AbsoluteUri.TrimEnd('/') + "/v1/traces")
                : sharedUri;
        }

        if (Either("HEADERS") is { } headers)
        {
            options.Headers = headers;
        }

        if (Either("TIMEOUT") is { } timeout && int.TryParse(timeout, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
        {
            options.TimeoutMilliseconds = milliseconds;
        }
    }

    /// <summary><c>OTEL_RESOURCE_ATTRIBUTES</c>: <c>key=value</c> pairs separated by commas, values percent-encoded.</summary>
    internal static IEnumerable<KeyValuePair<string, object>> ResourceAttributes(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair is [{ Length: > 0 }, _])
            .Select(pair => KeyValuePair.Create(pair[0], (object)Uri.UnescapeDataString(pair[1])));
}
