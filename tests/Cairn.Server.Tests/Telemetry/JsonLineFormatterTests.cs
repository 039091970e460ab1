using System.Diagnostics;
using System.Text.Json;
using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests.Telemetry;

/// <summary>One JSON object a line: the run and job from the innermost scopes that name them, the current span, and an
/// exception's type, message and stack; text that would break a hand-made line is escaped.</summary>
public sealed class JsonLineFormatterTests
{
    [Fact]
    public void A_line_names_the_run_job_and_span_and_the_exception_whole()
    {
        var formatter = new JsonLineFormatter(new ManualTimeProvider(new DateTimeOffset(2026, 12, 5, 15, 58, 41, 207, TimeSpan.FromHours(2))));
        var scopes = new LoggerExternalScopeProvider();
        using var writer = new StringWriter();
        using var source = new ActivitySource("Cairn.Server.Tests.JsonLines");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the disk is full");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        using (var span = source.StartActivity("job"))
        using (scopes.Push(new Dictionary<string, object?> { ["run_id"] = 7L }))
        using (scopes.Push(new Dictionary<string, object?> { ["job_id"] = 12L, ["run_id"] = 8L }))
        {
            var entry = new LogEntry<string>(LogLevel.Error, "Cairn.Jobs", default, "line one\n\"quoted\" \u001b[31m", thrown, (s, _) => s);
            formatter.Write(entry, scopes, writer);
            Assert.NotNull(span);
            var line = writer.ToString();
            Assert.EndsWith("\n", line, StringComparison.Ordinal);
            Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var json = JsonDocument.Parse(line).RootElement;

            Assert.Equal("2026-12-05T13:58:41.207Z", json.GetProperty("time").GetString());
            Assert.Equal(("error", "Cairn.Jobs", "line one\n\"quoted\" \u001b[31m"), (json.GetProperty("level").GetString(), json.GetProperty("category").GetString(), json.GetProperty("message").GetString()));
            Assert.Equal((8L, 12L), (json.GetProperty("run_id").GetInt64(), json.GetProperty("job_id").GetInt64()));
            Assert.Equal((span.TraceId.ToHexString(), span.SpanId.ToHexString()), (json.GetProperty("trace_id").GetString(), json.GetProperty("span_id").GetString()));
            var exception = json.GetProperty("exception");
            Assert.Equal(("System.InvalidOperationException", "the disk is full"), (exception.GetProperty("type").GetString(), exception.GetProperty("message").GetString()));
            Assert.Contains(nameof(A_line_names_the_run_job_and_span_and_the_exception_whole), exception.GetProperty("stack").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_line_outside_any_run_job_or_span_says_none()
    {
        var formatter = new JsonLineFormatter();
        using var writer = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Warning, "Cairn.Webhooks", default, "webhook rejected", null, (s, _) => s), new LoggerExternalScopeProvider(), writer);

        var json = JsonDocument.Parse(writer.ToString()).RootElement;
        Assert.Equal("warning", json.GetProperty("level").GetString());
        Assert.False(json.TryGetProperty("run_id", out _));
        Assert.False(json.TryGetProperty("job_id", out _));
        Assert.False(json.TryGetProperty("exception", out _));
        Assert.Equal(Activity.Current is null, !json.TryGetProperty("trace_id", out _));
    }
}
