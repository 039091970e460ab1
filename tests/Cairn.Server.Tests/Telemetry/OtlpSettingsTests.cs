using Cairn.Server.Hosting;
using OpenTelemetry.Exporter;

namespace Cairn.Server.Tests.Telemetry;

/// <summary>The OTLP exporter's settings as the standard variables give them, read from the environment the process
/// started with (a server strips its own before running jobs).</summary>
public sealed class OtlpSettingsTests
{
    private static OtlpExporterOptions Apply(Dictionary<string, string> variables)
    {
        var options = new OtlpExporterOptions();
        ServerTracing.ApplyExporterSettings(options, name => variables.GetValueOrDefault(name));
        return options;
    }

    [Fact]
    public void Over_http_the_shared_endpoint_gets_the_traces_path()
    {
        var options = Apply(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318/", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), options.Endpoint);
    }

    [Fact]
    public void The_traces_own_endpoint_protocol_headers_and_timeout_win_and_are_taken_as_they_are()
    {
        var options = Apply(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://elsewhere:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://tempo:4317",
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "a=1",
            ["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = "x-scope-orgid=ci",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2500",
        });

        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);
        Assert.Equal(new Uri("http://tempo:4317"), options.Endpoint);
        Assert.Equal("x-scope-orgid=ci", options.Headers);
        Assert.Equal(2500, options.TimeoutMilliseconds);
    }

    [Fact]
    public void Without_a_protocol_it_is_grpc_and_the_shared_endpoint_is_taken_as_given()
    {
        var options = Apply(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317" });

        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);
        Assert.Equal(new Uri("http://collector:4317"), options.Endpoint);
    }

    [Fact]
    public void Traces_are_exported_only_when_an_endpoint_is_named()
    {
        Assert.False(ServerTracing.ExportsTraces(_ => null));
        Assert.True(ServerTracing.ExportsTraces(name => name == "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" ? "http://tempo:4317" : null));
    }

    [Fact]
    public void Resource_attributes_are_pairs_with_percent_encoded_values()
    {
        var attributes = ServerTracing.ResourceAttributes("deployment.environment=prod, team=ci%20tools,broken").ToList();

        Assert.Equal([KeyValuePair.Create("deployment.environment", (object)"prod"), KeyValuePair.Create("team", (object)"ci tools")], attributes);
    }
}
