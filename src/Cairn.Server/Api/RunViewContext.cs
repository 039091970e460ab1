using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Server.Api;

/// <summary>What a run's view needs besides the store: the workers that could take a queued job (the server's own and the
/// registered ones, to say why none takes it), the clock (to say whether a retry's back-off has passed) and the overview
/// reads (every attempt of the run's jobs in one query).</summary>
internal sealed class RunViewContext(LocalWorkers workers, TimeProvider time, IRunOverview overview, IWorkerStore registry)
{
    /// <summary>How long one reading of the registered workers serves every view: a live page asks often.</summary>
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, LocalWorkers Workers)? _last;

    public TimeProvider Time => time;

    public IRunOverview Overview => overview;

    /// <summary>The server's own workers, and the registered ones as they stand (read at most every couple of seconds).</summary>
    public async Task<LocalWorkers> WorkersAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_last is { } last && now - last.At < Fresh)
            {
                return last.Workers;
            }
        }

        var registered = (await registry.ListWorkersAsync(cancellationToken))
            .Select(w => new RegisteredWorker(w.Name, w.Labels, w.LastSeenAt is { } seen && now - seen <= WorkersApi.ConnectedWithin, w.Paused))
            .ToList();
        var known = workers with { Registered = registered };
        lock (_gate)
        {
            _last = (now, known);
        }

        return known;
    }
}
