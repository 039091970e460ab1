using Cairn.Core.Telemetry;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

public abstract partial class CairnStore : IOperationalCounts
{
    private readonly OperationalCountRecords _operations;

    public Task<OperationalCounts> CountOperationsAsync(DateTimeOffset now, DateTimeOffset seenSince, CancellationToken cancellationToken) =>
        _operations.CountAsync(now, seenSince, cancellationToken);
}
