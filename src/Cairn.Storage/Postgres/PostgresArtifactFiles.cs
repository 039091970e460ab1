using System.Data.Common;
using Cairn.Core.Artifacts;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Postgres;

/// <summary>PostgreSQL inserts a set's files from one array per column, <c>unnest</c>ed side by side.</summary>
internal static class PostgresArtifactFiles
{
    public static ArtifactFileInsert Insert { get; } = new(
        """
        INSERT INTO artifact_files (set_id, path, size, "offset", mode, modified, link_target)
        SELECT @set, f.path, f.size, f.start, f.mode, f.modified, f.link
        FROM unnest(@paths, @sizes, @offsets, @modes, @modified, @links) AS f (path, size, start, mode, modified, link);
        """,
        Bind);

    private static void Bind(DbCommand command, IReadOnlyList<ArtifactFile> files) => command
        .Bind("@paths", files.Select(f => f.Path).ToArray())
        .Bind("@sizes", files.Select(f => f.Size).ToArray())
        .Bind("@offsets", files.Select(f => f.Offset).ToArray())
        .Bind("@modes", files.Select(f => f.Mode).ToArray())
        .Bind("@modified", files.Select(f => RecordRows.ToMillis(f.Modified)).ToArray())
        .Bind("@links", files.Select(f => f.LinkTarget).ToArray());
}
