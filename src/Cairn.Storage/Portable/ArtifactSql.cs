using System.Data.Common;
using System.Globalization;
using System.Text;
using Cairn.Core.Artifacts;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The statements and row mapping artifacts, caches and blob deletions share, alike for both dialects.</summary>
internal static class ArtifactSql
{
    public const string SetColumns =
        "id, run_id, job_id, job_name, attempt, repository, blob, files, bytes, created_at, expires_at";

    public const string FileColumns = "path, size, \"offset\", mode, modified, link_target";

    public const string CacheColumns = "id, repository, scope, key, blob, bytes, created_at, last_used_at";

    /// <summary>Queues the blob of every set <c>{sets}</c> selects (a query of ids) at <c>@queued</c>.</summary>
    public static string QueueSetBlobs(string sets) => $"""
        INSERT INTO blob_deletions (blob, queued_at)
        SELECT blob, @queued FROM artifact_sets WHERE id IN ({sets})
        ON CONFLICT (blob) DO NOTHING;
        """;

    /// <summary>Forgets the files of every set <c>{sets}</c> selects, then the sets.</summary>
    public static string DeleteSets(string sets) => $"""
        DELETE FROM artifact_files WHERE set_id IN ({sets});
        DELETE FROM artifact_sets WHERE id IN ({sets});
        """;

    /// <summary>Reads the columns of <see cref="SetColumns"/>.</summary>
    public static ArtifactSetRecord ReadSet(DbDataReader row) => new(
        Id: row.GetInt64(0),
        RunId: row.GetInt64(1),
        JobId: row.GetInt64(2),
        JobName: row.GetString(3),
        Attempt: row.GetInt32(4),
        Repository: StringOrNull(row, 5),
        Blob: row.GetString(6),
        Files: row.GetInt32(7),
        Bytes: row.GetInt64(8),
        CreatedAt: FromMillis(row.GetInt64(9)),
        ExpiresAt: FromMillis(row.GetInt64(10)));

    /// <summary>Reads the columns of <see cref="FileColumns"/>.</summary>
    public static ArtifactFile ReadFile(DbDataReader row) => new(
        Path: row.GetString(0),
        Size: row.GetInt64(1),
        Offset: row.GetInt64(2),
        Mode: row.GetInt32(3),
        Modified: FromMillis(row.GetInt64(4)),
        LinkTarget: StringOrNull(row, 5));

    /// <summary>Reads the columns of <see cref="CacheColumns"/>.</summary>
    public static CacheEntryRecord ReadCache(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Repository: row.GetString(1),
        Scope: row.GetString(2),
        Key: row.GetString(3),
        Blob: row.GetString(4),
        Bytes: row.GetInt64(5),
        CreatedAt: FromMillis(row.GetInt64(6)),
        LastUsedAt: FromMillis(row.GetInt64(7)));

    /// <summary>The least string above every string that starts with <paramref name="prefix"/> (not empty), in code point
    /// order, which is the byte order both databases compare these columns in: its last character, one higher. A prefix
    /// of <c>p</c> is then the range <c>p &lt;= x &lt; PrefixEnd(p)</c>, which an index walks, where LIKE would need escaping and
    /// a collation that allows it. Null when no string is above them all (the prefix is all U+10FFFF).</summary>
    public static string? PrefixEnd(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last < 0x10FFFF)
            {
                var next = last + 1;
                runes.Add(new Rune(next is >= 0xD800 and <= 0xDFFF ? 0xE000 : next));
                var end = new StringBuilder();
                foreach (var rune in runes)
                {
                    end.Append(rune.ToString());
                }

                return end.ToString();
            }
        }

        return null;
    }

    /// <summary>A list of parameters <c>@{name}0, @{name}1, …</c> for <paramref name="count"/> values.</summary>
    public static string Parameters(string name, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"@{name}{i}")));

    /// <summary>Binds <paramref name="values"/> to the parameters <see cref="Parameters"/> named.</summary>
    public static void BindEach<T>(DbCommand command, string name, IReadOnlyList<T> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            command.Bind(string.Create(CultureInfo.InvariantCulture, $"@{name}{i}"), values[i]);
        }
    }
}
