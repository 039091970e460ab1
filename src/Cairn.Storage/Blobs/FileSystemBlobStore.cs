using Cairn.Core.Artifacts;

namespace Cairn.Storage.Blobs;

/// <summary>Blobs as files under <paramref name="root"/> (the data directory's <c>blobs</c> folder), one per key. A blob is
/// written to a temporary file in its own folder and renamed into place, so a reader sees it whole or not at all.
/// Folders are the owner's only (0700), files too (0600).</summary>
public sealed class FileSystemBlobStore(string root) : IBlobStore
{
    private const UnixFileMode OwnerFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int BufferSize = 1 << 16;

    private readonly string _root = Path.GetFullPath(root);

    public string Description => "the data directory";

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        CreateFolder(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = BufferSize,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerFileMode;
            }

            await using (var file = new FileStream(temporary, options))
            {
                await content.CopyToAsync(file, BufferSize, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } wanted)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(wanted, nameof(length));
        }

        var path = PathOf(key);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }

        var start = Math.Min(offset, file.Length);
        file.Position = start;
        var available = file.Length - start;
        return Task.FromResult<Stream?>(new BoundedReadStream(file, Math.Min(length ?? available, available), ownsInner: true));
    }

    /// <exception cref="ArgumentException">The key is not one <see cref="BlobKeys"/> would make.</exception>
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // No blob had the key.
        }

        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        BlobKeyRules.Check(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException("a blob key stays inside the store", nameof(key));
        }

        return path;
    }

    // Each missing folder from the root down is made the owner's only: given a path, the runtime makes only its last
    // folder with the mode asked for.
    private void CreateFolder(string folder)
    {
        var path = _root;
        MakeFolder(path);
        foreach (var segment in Path.GetRelativePath(_root, folder).Split(Path.DirectorySeparatorChar))
        {
            path = Path.Combine(path, segment);
            MakeFolder(path);
        }
    }

    private static void MakeFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerFolderMode);
        }
    }
}
