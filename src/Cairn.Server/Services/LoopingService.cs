using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>A background service that works in rounds until the server stops. A round that fails (the store is
/// unreachable, say) is logged and the loop goes on after a pause; a stop ends it quietly, mid-round or not.</summary>
internal abstract partial class LoopingService(string what, TimeSpan pauseAfterFault, TimeProvider time, ILogger log) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    /// <summary>One round: do what is due, or wait for it (a wake-up or a poll).</summary>
    protected abstract Task RoundAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogFault(log, what, ex.Message);
                await Task.Delay(pauseAfterFault, Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} paused after a failure and goes on: {Reason}")]
    private static partial void LogFault(ILogger logger, string what, string reason);
}
