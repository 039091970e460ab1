using System.Formats.Tar;
using System.Text;
using Cairn.Core.Artifacts;

namespace Cairn.Server.Tests.Artifacts;

/// <summary>Keeps a job's artifacts as the stash does: a tar in the server's blob store and its files in the store's
/// index, each with its place in the tar.</summary>
internal static class ArtifactSeed
{
    /// <summary>One entry: a file with its text, or a link (<paramref name="Link"/> set).</summary>
    public sealed record Entry(string Path, string Text = "", string? Link = null);

    public static async Task<long> KeepAsync(
        IServiceProvider services, long runId, long jobId, string job, string? repository, IReadOnlyList<Entry> entries, DateTimeOffset? expiresAt = null)
    {
        var tar = new MemoryStream();
        var files = new List<ArtifactFile>();
        var modified = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                var header = tar.Position;
                if (entry.Link is { } target)
                {
                    await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.SymbolicLink, entry.Path) { LinkName = target, ModificationTime = modified });
                    files.Add(new ArtifactFile(entry.Path, 0, header + 512, 0x1FF, modified, target));
                    continue;
                }

                var bytes = Encoding.UTF8.GetBytes(entry.Text);
                await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, entry.Path)
                {
                    DataStream = new MemoryStream(bytes), ModificationTime = modified, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                files.Add(new ArtifactFile(entry.Path, bytes.Length, header + 512, 0x180, modified));
            }
        }

        tar.Position = 0;
        var blobs = (IBlobStore)services.GetService(typeof(IBlobStore))!;
        var index = (IArtifactIndex)services.GetService(typeof(IArtifactIndex))!;
        Assert.NotNull(index);
        var key = BlobKeys.Artifacts(runId, jobId, 1);
        await blobs.PutAsync(key, tar, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        return await index.AddArtifactSetAsync(
            new NewArtifactSet(runId, jobId, job, 1, repository, key, files.Count, files.Sum(f => f.Size), now, expiresAt ?? now.AddDays(30)),
            [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)], CancellationToken.None);
    }
}
