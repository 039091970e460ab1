using System.Data.Common;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Storage.Portable;

/// <summary>What the dialects write differently when a run is created: a run's inputs, its jobs, and how a transaction takes
/// the turn of a concurrency group.</summary>
internal interface IRunDialect
{
    /// <summary>Binds <c>@inputs</c>, the trigger's inputs as a JSON object.</summary>
    void BindInputs(DbCommand command, string json);

    /// <summary>Inserts the run's jobs (<see cref="PortableSql.InsertJob"/>) inside <paramref name="transaction"/>.</summary>
    Task InsertJobsAsync(IStatementRunner transaction, long runId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);

    /// <summary>Inside <paramref name="transaction"/>, waits for the turn of the concurrency group <paramref name="key"/> and
    /// holds it until the transaction ends, so that what the transaction reads of the group's runs stays true while it writes.</summary>
    Task LockGroupAsync(IStatementRunner transaction, string key, CancellationToken cancellationToken);
}
