namespace Cairn.Core.Telemetry;

/// <summary>What the whole installation is doing now, counted in the database (so every replica reads the same): the
/// jobs by state, the waiting ones by reason, the workers by state and the commit-status outbox. A few aggregate
/// queries, never a load of runs: the metrics' sampler asks every few seconds.</summary>
public interface IOperationalCounts
{
    /// <summary>Counts as of <paramref name="now"/>; a worker not heard from since <paramref name="seenSince"/> is offline.</summary>
    Task<OperationalCounts> CountOperationsAsync(DateTimeOffset now, DateTimeOffset seenSince, CancellationToken cancellationToken);
}
