using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Cairn.Server.Hosting;

/// <summary>Where the server logs: one line per entry on the console (or wherever the host says), as text or as JSON
/// lines (<c>--log-format json</c>), without the framework's chatter below warnings.</summary>
internal static class ServerLogging
{
    public static WebApplicationBuilder AddCairnLogging(this WebApplicationBuilder builder, Action<ILoggingBuilder>? configure, TelemetrySettings telemetry)
    {
        builder.Logging.ClearProviders();
        if (configure is not null)
        {
            configure(builder.Logging);
        }
        else
        {
            builder.Logging.AddCairnConsole(telemetry.JsonLogs);
        }

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        return builder;
    }

    /// <summary>The console, as text lines or as JSON lines; a logging scope is read only when the lines are JSON.</summary>
    public static ILoggingBuilder AddCairnConsole(this ILoggingBuilder logging, bool json)
    {
        ArgumentNullException.ThrowIfNull(logging);
        if (!json)
        {
            return logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }

        logging.Services.AddSingleton<ConsoleFormatter>(services => new JsonLineFormatter(services.GetService<TimeProvider>() ?? TimeProvider.System));
        return logging.AddConsole(o => o.FormatterName = JsonLineFormatter.FormatterName);
    }
}
