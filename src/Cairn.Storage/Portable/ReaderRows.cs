using System.Data.Common;

namespace Cairn.Storage.Portable;

/// <summary>Drains a reader of either dialect into records.</summary>
internal static class ReaderRows
{
    /// <summary>Maps every remaining row of <paramref name="reader"/>, in order.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbDataReader reader, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
