using Cairn.Core.Logs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

public abstract partial class CairnStore
{
    private readonly LogSearchRecords _logSearch;

    public Task<LogSearchPage> SearchLogsAsync(LogSearchQuery query, CancellationToken cancellationToken) =>
        _logSearch.SearchAsync(query, cancellationToken);

    /// <summary>Indexes the log lines that wait to be (on a dialect that indexes them after they are written); answers how
    /// many. A search does it first too, so it never misses a stored line.</summary>
    public Task<long> CatchUpLogIndexAsync(CancellationToken cancellationToken) =>
        _logSearch.CatchUpAsync(cancellationToken);
}
