using System.Data.Common;
using System.Text.Json;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Storage.Portable;

/// <summary>What the dialects write differently when a run is created: a run's inputs, and its jobs.</summary>
internal interface IRunDialect
{
    /// <summary>Binds <c>@inputs</c>, the trigger's inputs as a JSON object.</summary>
    void BindInputs(DbCommand command, string json);

    /// <summary>Inserts the run's jobs (<see cref="PortableSql.InsertJob"/>) inside <paramref name="transaction"/>.</summary>
    Task InsertJobsAsync(IStatementRunner transaction, long runId, IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken);
}
