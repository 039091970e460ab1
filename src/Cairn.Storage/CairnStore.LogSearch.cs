using Cairn.Core.Logs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

public abstract partial class CairnStore
{
    private readonly LogSearchRecords _logSearch;

    public Task<LogSearchPage> SearchLogsAsync(LogSearchQuery query, CancellationToken cancellationToken) =>
        _logSearch.SearchAsync(query, cancellationToken);
}
