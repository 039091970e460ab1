using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Telemetry;

public sealed class TelemetrySettingsTests
{
    [Fact]
    public void Logs_are_text_unless_json_is_asked_for_and_no_trace_link_is_made_without_a_template()
    {
        var (settings, errors) = Bind(new Dictionary<string, string?>(), new Dictionary<string, string?>());

        Assert.Empty(errors);
        Assert.Equal(("text", false, null), (settings!.Telemetry.LogFormat, settings.Telemetry.JsonLogs, settings.Telemetry.TraceLink("0af7651916cd43dd8448eb211c80319c")));
    }

    [Fact]
    public void The_log_format_and_trace_template_come_from_flag_variable_or_key_and_the_trace_id_is_url_encoded_in()
    {
        using var dir = new TempDirectory();
        var json = dir.WriteFile("appsettings.json", """{ "Cairn": { "Telemetry": { "TraceUrlTemplate": "https://tempo.example.com/trace/{trace_id}" } } }""");

        var configuration = ServerSettings.Compose(json,
            new Dictionary<string, string?> { ["CAIRN_LOG_FORMAT"] = "json" }, new Dictionary<string, string?>());
        var (settings, errors) = ServerSettings.Bind(configuration, dir.Path);
        var (flagged, _) = Bind(new Dictionary<string, string?>(), new Dictionary<string, string?>
        {
            ["Telemetry:TraceUrlTemplate"] = "https://grafana.example.com/explore?traceId={trace_id}&orgId=1",
        });

        Assert.Empty(errors);
        Assert.True(settings!.Telemetry.JsonLogs);
        Assert.Equal("https://tempo.example.com/trace/abc", settings.Telemetry.TraceLink("abc")!.ToString());
        Assert.Equal("https://grafana.example.com/explore?traceId=a%26b%3Dc&orgId=1", flagged!.Telemetry.TraceLink("a&b=c")!.AbsoluteUri);
        Assert.Null(flagged.Telemetry.TraceLink(null));
        Assert.Contains(ServerSettings.Names, n => n == ("Telemetry:LogFormat", "CAIRN_LOG_FORMAT", "--log-format"));
        Assert.Contains(ServerSettings.Names, n => n == ("Telemetry:TraceUrlTemplate", "CAIRN_TRACE_URL_TEMPLATE", "--trace-url-template"));
    }

    [Theory]
    [InlineData("CAIRN_LOG_FORMAT", "xml", "--log-format / CAIRN_LOG_FORMAT / Cairn:Telemetry:LogFormat: 'xml' is not a log format")]
    [InlineData("CAIRN_TRACE_URL_TEMPLATE", "https://tempo.example.com/trace/", "--trace-url-template / CAIRN_TRACE_URL_TEMPLATE / Cairn:Telemetry:TraceUrlTemplate: 'https://tempo.example.com/trace/' does not say where the trace id goes")]
    [InlineData("CAIRN_TRACE_URL_TEMPLATE", "javascript:alert({trace_id})", "is not an absolute http:// or https:// address")]
    [InlineData("CAIRN_TRACE_URL_TEMPLATE", "/trace/{trace_id}", "is not an absolute http:// or https:// address")]
    public void A_bad_log_format_or_trace_template_is_refused_naming_the_setting(string variable, string value, string expected)
    {
        var (settings, errors) = Bind(new Dictionary<string, string?> { [variable] = value }, new Dictionary<string, string?>());

        Assert.Null(settings);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    private static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(Dictionary<string, string?> environment, Dictionary<string, string?> commandLine) =>
        ServerSettings.Bind(ServerSettings.Compose(null, environment, commandLine), "/tmp");
}
