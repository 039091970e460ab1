using Cairn.Server.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn worker</c> tells its operator besides its console lines: the spans of the jobs it runs, in
/// their runs' traces (the same tracer provider as the server's, named <c>cairn-worker</c>), and with
/// <c>--log-format json</c> a JSON line as each job is leased and ends, naming its run, job and trace.</summary>
internal sealed class WorkerTelemetry : IDisposable
{
    private readonly TracerProvider _tracing;
    private readonly ILoggerFactory? _logs;

    private WorkerTelemetry(TracerProvider tracing, ILoggerFactory? logs)
    {
        _tracing = tracing;
        _logs = logs;
        Log = logs?.CreateLogger("Cairn.Jobs");
    }

    /// <summary>Where attempts log; null with text logs (the worker's console lines say it).</summary>
    public ILogger? Log { get; }

    public static WorkerTelemetry Start(bool jsonLogs) => new(
        ServerTracing.CreateProvider(ServerTracing.WorkerService),
        jsonLogs ? LoggerFactory.Create(logging => logging.AddCairnConsole(json: true)) : null);

    public void Dispose()
    {
        _logs?.Dispose();
        _tracing.Dispose();
    }
}
