using System.Collections.Concurrent;
using Cairn.Core.Workers;

namespace Cairn.Server.Access;

/// <summary>Workers by their token's id, as the store has them, each reading kept for <see cref="Fresh"/>: a worker makes
/// several calls a job, and one reading serves them. A pause, resume or removal made on this server forgets every
/// reading at once; one made on another replica shows here within <see cref="Fresh"/>. Only workers found are kept, so
/// what is kept is bounded by the workers there are, whatever ids strangers send.</summary>
public sealed class WorkerIdentities(IWorkerStore workers, TimeProvider time)
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (WorkerRecord Worker, DateTimeOffset At)> _byTokenId = new(StringComparer.Ordinal);

    public async Task<WorkerRecord?> ByTokenIdAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        var now = time.GetUtcNow();
        if (_byTokenId.TryGetValue(tokenId, out var kept) && now - kept.At < Fresh)
        {
            return kept.Worker;
        }

        var worker = await workers.GetWorkerByTokenIdAsync(tokenId, cancellationToken);
        if (worker is null)
        {
            _byTokenId.TryRemove(tokenId, out _);
            return null;
        }

        _byTokenId[tokenId] = (worker, now);
        return worker;
    }

    /// <summary>Forgets every reading: a worker was paused, resumed or removed here.</summary>
    public void Forget() => _byTokenId.Clear();
}
