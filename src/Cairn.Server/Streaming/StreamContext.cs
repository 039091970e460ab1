using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Cairn.Server.Streaming;

/// <summary>What every stream shares: the keep-alive interval, the clock, and a stop when the client goes or the server
/// stops (a stream never holds the server's shutdown: the client reconnects and resumes).</summary>
internal sealed class StreamContext(ServerSettings settings, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public TimeProvider Time => time;

    public async Task RunAsync(HttpContext context, Func<SseWriter, CancellationToken, Task> stream)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            using var sse = await SseWriter.StartAsync(context, time, settings.StreamKeepAlive, stop.Token);
            await stream(sse, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away, or the server is stopping: the stream simply ends.
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException)
        {
            // The connection broke while writing.
        }
    }
}
