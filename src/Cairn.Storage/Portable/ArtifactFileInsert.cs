using System.Data.Common;
using Cairn.Core.Artifacts;

namespace Cairn.Storage.Portable;

/// <summary>How a dialect inserts many of a set's files in one statement with a handful of parameters (SQLite: one JSON
/// array read by <c>json_each</c>; PostgreSQL: one array per column, <c>unnest</c>ed), where a row of parameters each would
/// cost both databases a lookup per parameter name that grows with the statement.</summary>
/// <param name="Sql">The statement, given the set as <c>@set</c>.</param>
/// <param name="BindRows">Binds the files' parameters.</param>
internal sealed record ArtifactFileInsert(string Sql, Action<DbCommand, IReadOnlyList<ArtifactFile>> BindRows);
