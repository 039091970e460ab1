using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Cairn.Server.Hosting;

/// <summary>The server's and a worker's own logs as JSON lines (<c>--log-format json</c>): one object a line with
/// <c>time</c> (ISO 8601, UTC), <c>level</c>, <c>category</c>, <c>message</c>, and where they apply <c>run_id</c> and
/// <c>job_id</c> (from the logging scopes a run's and a job's work opens), <c>trace_id</c> and <c>span_id</c> (from the
/// current span), and <c>exception</c> (its type, message and stack: this is the operator's log).</summary>
public sealed class JsonLineFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "cairn-json";

    /// <summary>The scope keys that name a run and a job.</summary>
    public const string RunIdKey = "run_id";

    public const string JobIdKey = "job_id";

    public JsonLineFormatter()
        : this(TimeProvider.System)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, LineOptions))
        {
            json.WriteStartObject();
            json.WriteString("time", time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", Level(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            json.WriteString("message", message ?? "");
            WriteScopes(json, scopeProvider);
            if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
            {
                json.WriteString("trace_id", activity.TraceId.ToHexString());
                json.WriteString("span_id", activity.SpanId.ToHexString());
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteStartObject("exception");
                json.WriteString("type", exception.GetType().FullName);
                json.WriteString("message", exception.Message);
                json.WriteString("stack", exception.ToString());
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    /// <summary>The run and job the innermost scopes name, each once.</summary>
    /// <summary>Quotes, angle brackets and non-ASCII text as they are: a log line is read by people and log shippers,
    /// never put into HTML, so only what JSON itself requires is escaped.</summary>
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void WriteScopes(Utf8JsonWriter json, IExternalScopeProvider? scopes)
    {
        if (scopes is null)
        {
            return;
        }

        object? runId = null;
        object? jobId = null;
        scopes.ForEachScope(
            (scope, _) =>
            {
                if (scope is not IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    return;
                }

                foreach (var (key, value) in pairs)
                {
                    if (key == RunIdKey)
                    {
                        runId = value;
                    }
                    else if (key == JobIdKey)
                    {
                        jobId = value;
                    }
                }
            },
            (object?)null);
        WriteId(json, RunIdKey, runId);
        WriteId(json, JobIdKey, jobId);
    }

    private static void WriteId(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case long number:
                json.WriteNumber(name, number);
                break;
            case int number:
                json.WriteNumber(name, number);
                break;
            case not null:
                json.WriteString(name, value.ToString());
                break;
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
