// Stands in for Cairn.Storage's blob stores until they are here: delete this file when BlobStores.Open exists.
using Cairn.Core.Artifacts;

namespace Cairn.Storage.Blobs;

internal sealed record BlobStoreSettings(string Store, string? Endpoint, string? Region, string? AccessKeyId, string? SecretAccessKey, bool PathStyle);

internal static class BlobStores
{
    public static IBlobStore Open(BlobStoreSettings settings, string dataDirectory) =>
        settings.Store.Length > 0
            ? throw new InvalidOperationException("S3 storage is not available in this build")
            : new FolderBlobStore(Path.Combine(dataDirectory, "blobs"));

    private sealed class FolderBlobStore(string root) : IBlobStore
    {
        public string Description => "the data directory";

        public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
        {
            var path = Path.Combine(root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var partial = path + ".partial";
            await using (var file = File.Create(partial))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            File.Move(partial, path, overwrite: true);
        }

        public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken)
        {
            var path = Path.Combine(root, key);
            if (!File.Exists(path))
            {
                return Task.FromResult<Stream?>(null);
            }

            var file = File.OpenRead(path);
            file.Position = offset;
            var bytes = length ?? file.Length - offset;
            var buffer = new MemoryStream();
            var rest = new byte[81920];
            while (bytes > 0)
            {
                var read = file.Read(rest, 0, (int)Math.Min(rest.Length, bytes));
                if (read == 0)
                {
                    break;
                }

                buffer.Write(rest, 0, read);
                bytes -= read;
            }

            file.Dispose();
            buffer.Position = 0;
            return Task.FromResult<Stream?>(buffer);
        }

        public Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            File.Delete(Path.Combine(root, key));
            return Task.CompletedTask;
        }
    }
}
