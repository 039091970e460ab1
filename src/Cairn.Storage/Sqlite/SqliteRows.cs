using Cairn.Storage.Portable;

namespace Cairn.Storage.Sqlite;

/// <summary>Rows as SQLite holds them: needs, labels and inputs are JSON text, lease ids are text.</summary>
internal static class SqliteRows
{
    public static readonly RecordRows Records = new(
        readNames: (row, ordinal) => StorageJson.ReadNames(row.GetString(ordinal)),
        readLeaseId: (row, ordinal) => Guid.Parse(row.GetString(ordinal)));
}
