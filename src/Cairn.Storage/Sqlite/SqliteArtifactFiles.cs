using System.Data.Common;
using System.Text;
using System.Text.Json;
using Cairn.Core.Artifacts;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Sqlite;

/// <summary>SQLite inserts a set's files from one JSON array of rows, <c>[path, size, offset, mode, modified, link]</c>
/// each, that <c>json_each</c> walks.</summary>
internal static class SqliteArtifactFiles
{
    public static ArtifactFileInsert Insert { get; } = new(
        """
        INSERT INTO artifact_files (set_id, path, size, "offset", mode, modified, link_target)
        SELECT @set, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(@files) WHERE true;
        """,
        Bind);

    private static void Bind(DbCommand command, IReadOnlyList<ArtifactFile> files)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var file in files)
            {
                json.WriteStartArray();
                json.WriteStringValue(file.Path);
                json.WriteNumberValue(file.Size);
                json.WriteNumberValue(file.Offset);
                json.WriteNumberValue(file.Mode);
                json.WriteNumberValue(RecordRows.ToMillis(file.Modified));
                if (file.LinkTarget is { } target)
                {
                    json.WriteStringValue(target);
                }
                else
                {
                    json.WriteNullValue();
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        command.Bind("@files", Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
