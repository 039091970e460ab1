namespace Cairn.Server.Hosting;

/// <summary>How the server tells its operator what it does: its own logs as text lines or JSON lines
/// (<c>--log-format</c>), and where a run's trace id leads on the dashboard (<c>--trace-url-template</c>, an address with
/// <c>{trace_id}</c> in it, such as a Grafana Tempo or Jaeger search). The traces' exporter reads the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables itself.</summary>
public sealed record TelemetrySettings(string LogFormat, string? TraceUrlTemplate)
{
    /// <summary>The placeholder a trace link's template holds for the trace id.</summary>
    public const string TraceIdPlaceholder = "{trace_id}";

    public static TelemetrySettings Default { get; } = new("text", null);

    /// <summary>True when the server's logs are JSON lines.</summary>
    public bool JsonLogs => LogFormat == "json";

    /// <summary>The settings' keys (in the Cairn section), variables and options, in the form of ServerSettings.Names.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("Telemetry:LogFormat", "CAIRN_LOG_FORMAT", "--log-format"),
        ("Telemetry:TraceUrlTemplate", "CAIRN_TRACE_URL_TEMPLATE", "--trace-url-template"),
    ];

    /// <summary>Whether <paramref name="format"/> is a log format: <c>text</c> or <c>json</c>.</summary>
    public static bool IsLogFormat(string? format) => format is "text" or "json";

    internal static TelemetrySettings Bind(Func<string, string?> get, Action<string, string> fail)
    {
        var format = get("Telemetry:LogFormat") ?? "text";
        if (!IsLogFormat(format))
        {
            fail("Telemetry:LogFormat", $"'{format}' is not a log format: say text or json");
            format = "text";
        }

        var template = get("Telemetry:TraceUrlTemplate");
        if (template is not null && Problem(template) is { } problem)
        {
            fail("Telemetry:TraceUrlTemplate", problem);
            template = null;
        }

        return new TelemetrySettings(format, template);
    }

    /// <summary>What is wrong with a trace link's template, or null when it is an absolute http(s) address holding
    /// <c>{trace_id}</c>.</summary>
    public static string? Problem(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains(TraceIdPlaceholder, StringComparison.Ordinal))
        {
            return $"'{template}' does not say where the trace id goes: put {TraceIdPlaceholder} in it";
        }

        var probe = template.Replace(TraceIdPlaceholder, "0", StringComparison.Ordinal);
        return Uri.TryCreate(probe, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? null
            : $"'{template}' is not an absolute http:// or https:// address";
    }

    /// <summary>The link to a run's trace, or null when there is no template or no trace.</summary>
    public Uri? TraceLink(string? traceId) =>
        TraceUrlTemplate is null || string.IsNullOrEmpty(traceId)
            ? null
            : new Uri(TraceUrlTemplate.Replace(TraceIdPlaceholder, Uri.EscapeDataString(traceId), StringComparison.Ordinal));
}
