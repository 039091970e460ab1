using Microsoft.Extensions.Logging;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn server</c> says of itself on stdout: <c>cairn server: …</c> lines, or with
/// <c>--log-format json</c> log entries of the <c>Cairn.Server</c> category, so that every line of stdout is JSON.</summary>
internal sealed partial class ServerAnnouncer(ILogger? json)
{
    public Task SayAsync(string text)
    {
        if (json is null)
        {
            return Console.Out.WriteLineAsync($"cairn server: {text}");
        }

        LogSaid(json, text);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Text}")]
    private static partial void LogSaid(ILogger logger, string text);
}
