using Cairn.Storage.Portable;

namespace Cairn.Storage.Postgres;

/// <summary>Rows as PostgreSQL holds them: needs and labels are text arrays, lease ids are uuids.</summary>
internal static class PostgresRows
{
    public static readonly RecordRows Records = new(
        readNames: (row, ordinal) => row.GetFieldValue<string[]>(ordinal),
        readLeaseId: (row, ordinal) => row.GetGuid(ordinal));
}
