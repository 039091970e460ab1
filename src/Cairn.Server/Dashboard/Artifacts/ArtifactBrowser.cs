using System.Text;
using Cairn.Core.Artifacts;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Dashboard.Artifacts;

/// <summary>What the dashboard reads of artifacts: a run's sets, one folder of a set, and the start of a file to show
/// inline. Through the server's <see cref="IArtifactIndex"/> and <see cref="IBlobStore"/>; a server with neither shows
/// none.</summary>
internal sealed class ArtifactBrowser(IServiceProvider services)
{
    /// <summary>The most of a file shown inline.</summary>
    public const int MaxShown = 1 << 20;

    /// <summary>How far a NUL is looked for to tell a binary file.</summary>
    public const int Sniffed = 8 << 10;

    /// <summary>The most files a folder's listing reads to find its entries.</summary>
    public const int MaxScanned = 10_000;

    private IArtifactIndex? Index => services.GetService<IArtifactIndex>();

    private IBlobStore? Blobs => services.GetService<IBlobStore>();

    public async Task<IReadOnlyList<ArtifactSetRecord>> SetsAsync(long runId, CancellationToken cancellationToken) =>
        Index is { } index ? await index.ListArtifactSetsAsync(runId, cancellationToken) : [];

    public async Task<ArtifactSetRecord?> SetAsync(long runId, string job, CancellationToken cancellationToken) =>
        (await SetsAsync(runId, cancellationToken)).FirstOrDefault(s => s.JobName == job);

    public async Task<ArtifactFile?> FileAsync(ArtifactSetRecord set, string path, CancellationToken cancellationToken) =>
        path.Length == 0 || Index is not { } index ? null : await index.GetArtifactFileAsync(set.Id, path, cancellationToken);

    /// <summary>One level of <paramref name="folder"/> (<c>""</c> or ending in <c>/</c>): folders first, then files, each
    /// by name (ordinal).</summary>
    public async Task<ArtifactFolderListing> FolderAsync(ArtifactSetRecord set, string folder, CancellationToken cancellationToken)
    {
        if (Index is not { } index)
        {
            return new ArtifactFolderListing([], [], false);
        }

        var files = await index.ListArtifactFilesAsync(set.Id, folder, MaxScanned + 1, cancellationToken);
        var (folders, here) = Api.ArtifactViews.Split(folder, files.Take(MaxScanned));
        return new ArtifactFolderListing(folders, here, files.Count > MaxScanned);
    }

    /// <summary>The file's start as text, when it is text (no NUL in its first 8 KiB); null for a binary file or a
    /// link, or when its bytes cannot be read.</summary>
    public async Task<string?> TextAsync(ArtifactSetRecord set, ArtifactFile file, CancellationToken cancellationToken)
    {
        if (file.LinkTarget is not null || Blobs is not { } blobs)
        {
            return null;
        }

        var length = (int)Math.Min(file.Size, MaxShown);
        await using var stream = await blobs.OpenReadAsync(set.Blob, file.Offset, length, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        var bytes = new byte[length];
        await stream.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, cancellationToken);
        if (bytes.AsSpan(0, Math.Min(length, Sniffed)).Contains((byte)0))
        {
            return null;
        }

        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(bytes);
    }
}

/// <summary>One level of a set's folder: the folders under it (by name) and the files in it.</summary>
internal sealed record ArtifactFolderListing(IReadOnlyList<string> Folders, IReadOnlyList<ArtifactFile> Files, bool Truncated);
