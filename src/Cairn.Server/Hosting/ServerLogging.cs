using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>Where the server logs: one line per entry on the console (or wherever the host says), without the
/// framework's chatter below warnings.</summary>
internal static class ServerLogging
{
    public static WebApplicationBuilder AddCairnLogging(this WebApplicationBuilder builder, Action<ILoggingBuilder>? configure)
    {
        builder.Logging.ClearProviders();
        if (configure is not null)
        {
            configure(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        return builder;
    }
}
