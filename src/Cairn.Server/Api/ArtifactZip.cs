using System.IO.Compression;
using Cairn.Core.Artifacts;

namespace Cairn.Server.Api;

/// <summary>Writes a job's artifacts as a zip straight onto a stream that cannot seek (a response body): entries in path
/// order, each file's bytes read from its place in the set's tar and compressed as they pass; nothing is held whole.</summary>
internal static class ArtifactZip
{
    private const int RegularFile = 0x8000;
    private const int SymbolicLink = 0xA000;
    private const int Folder = 0x4000;
    private static readonly DateTimeOffset Earliest = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);

    public static async Task WriteAsync(
        Stream destination, ArtifactSetRecord set, IReadOnlyList<ArtifactFile> files, IBlobStore blobs, CancellationToken cancellationToken)
    {
        await using var body = new DrainingStream(destination);
        var archive = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        await using (archive)
        {
            foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                var folder = ArtifactViews.IsFolder(file);
                var entry = archive.CreateEntry(file.Path, folder || file.LinkTarget is not null ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
                entry.LastWriteTime = Clamp(file.Modified);
                var kind = folder ? Folder : file.LinkTarget is not null ? SymbolicLink : RegularFile;
                entry.ExternalAttributes = (kind | (file.Mode & 0xFFF)) << 16;
                if (folder)
                {
                    continue;
                }

                var into = await entry.OpenAsync(cancellationToken);
                await using (into)
                {
                    if (file.LinkTarget is { } target)
                    {
                        await into.WriteAsync(System.Text.Encoding.UTF8.GetBytes(target), cancellationToken);
                        continue;
                    }

                    var content = await blobs.OpenReadAsync(set.Blob, file.Offset, file.Size, cancellationToken)
                        ?? throw new FileNotFoundException($"the artifacts of job '{set.JobName}' are gone from {blobs.Description}");
                    await using (content)
                    {
                        var piece = new byte[81920];
                        int read;
                        while ((read = await content.ReadAsync(piece, cancellationToken)) > 0)
                        {
                            await into.WriteAsync(piece.AsMemory(0, read), cancellationToken);
                            await body.DrainAsync(cancellationToken);
                        }
                    }
                }

                await body.DrainAsync(cancellationToken);
            }
        }

        await body.FlushAsync(cancellationToken);
    }

    private static DateTimeOffset Clamp(DateTimeOffset at) => at < Earliest ? Earliest : at > Latest ? Latest : at;
}
