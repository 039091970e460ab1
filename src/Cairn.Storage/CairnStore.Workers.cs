using Cairn.Core.Workers;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>The workers an administrator made for machines that run jobs over HTTP.</summary>
public abstract partial class CairnStore
{
    private readonly WorkerRecords _workers;

    public Task<WorkerRecord?> AddWorkerAsync(NewWorker worker, CancellationToken cancellationToken) =>
        _workers.AddWorkerAsync(worker, cancellationToken);

    public Task<IReadOnlyList<WorkerRecord>> ListWorkersAsync(CancellationToken cancellationToken) =>
        _workers.ListWorkersAsync(cancellationToken);

    public Task<WorkerRecord?> GetWorkerAsync(string name, CancellationToken cancellationToken) =>
        _workers.GetWorkerAsync(name, cancellationToken);

    public Task<WorkerRecord?> GetWorkerByTokenIdAsync(string tokenId, CancellationToken cancellationToken) =>
        _workers.GetWorkerByTokenIdAsync(tokenId, cancellationToken);

    public Task<bool> SetWorkerPausedAsync(string name, bool paused, CancellationToken cancellationToken) =>
        _workers.SetWorkerPausedAsync(name, paused, cancellationToken);

    public Task<bool> RemoveWorkerAsync(string name, CancellationToken cancellationToken) =>
        _workers.RemoveWorkerAsync(name, cancellationToken);

    public Task TouchWorkerAsync(long id, DateTimeOffset at, string? version, string? address, CancellationToken cancellationToken) =>
        _workers.TouchWorkerAsync(id, at, version, address, cancellationToken);
}
