using Cairn.Core.Artifacts;
using Cairn.Core.Runs;
using Cairn.Storage;
using Cairn.Storage.Blobs;
using Cairn.Storage.Sqlite;

namespace Cairn.Cli.Commands;

/// <summary>Artifacts and caches under <c>cairn run</c>. Every job works in the person's own folder, so a job's artifacts
/// are already where the jobs that need it look: they are checked and counted, and left there. Caches are kept across
/// runs under the user's cache folder (<c>$XDG_CACHE_HOME/cairn/caches</c>, else <c>~/.cache/cairn/caches</c>): an index
/// in a SQLite file of its own and the blobs beside it, so a second run restores what the first saved.</summary>
internal sealed class LocalStashes : IJobStashes, IAsyncDisposable
{
    private readonly ICairnStore? _index;
    private readonly IBlobStore _blobs;
    private readonly StoreJobStashes _caches;
    private readonly TimeProvider _time;

    private LocalStashes(ICairnStore? index, ICairnStore scratch, IBlobStore blobs, TimeProvider time)
    {
        _index = index;
        _blobs = blobs;
        _time = time;
        _caches = new StoreJobStashes(scratch, index ?? scratch, blobs, repositories: null, ArtifactSettings.Default, time);
    }

    /// <summary>The folder caches are kept in.</summary>
    public static string Folder =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "cairn", "caches");

    /// <summary>Opens the cache folder; when it cannot be opened, caches live in <paramref name="scratch"/> (the run's own
    /// store) for this run only, saying so on <paramref name="stderr"/>.</summary>
    public static async Task<LocalStashes> OpenAsync(ICairnStore scratch, string scratchFolder, TextWriter stderr, TimeProvider time)
    {
        try
        {
            Directory.CreateDirectory(Folder);
            var index = await SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(Folder, "index.db") }, time, CancellationToken.None);
            return new LocalStashes(index, scratch, new FileSystemBlobStore(Path.Combine(Folder, "blobs")), time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or StoreSchemaException or StoreConfigurationException or Microsoft.Data.Sqlite.SqliteException)
        {
            await stderr.WriteLineAsync($"warning: caches are kept for this run only: {Folder} cannot be used ({ex.Message})");
            return new LocalStashes(null, scratch, new FileSystemBlobStore(Path.Combine(scratchFolder, "caches")), time);
        }
    }

    public IJobStash For(JobLease lease, RunRecord run) => new LocalStash(_caches.For(lease, run), _time);

    /// <summary>Forgets the caches evicted past the limit and deletes their blobs, then closes the index.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_index is null)
        {
            return;
        }

        try
        {
            while (await _index.TakeBlobDeletionsAsync(100, CancellationToken.None) is { Count: > 0 } keys)
            {
                foreach (var key in keys)
                {
                    await _blobs.DeleteAsync(key, CancellationToken.None);
                }

                await _index.ForgetBlobDeletionsAsync(keys, CancellationToken.None);
            }
        }
        catch (IOException)
        {
            // What is left is deleted after the next run.
        }
        finally
        {
            await _index.DisposeAsync();
        }
    }

    /// <summary>One job's stash under <c>cairn run</c>: nothing to bring in (the folder is shared), artifacts checked in
    /// place, caches kept.</summary>
    private sealed class LocalStash(IJobStash caches, TimeProvider time) : IJobStash
    {
        public string? SaveScope => caches.SaveScope;

        public Task<IReadOnlyList<ArtifactSet>> ListNeededAsync(IReadOnlyList<string> needs, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ArtifactSet>>([]);

        public Task<Stream> OpenArtifactsAsync(ArtifactSet set, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("cairn run keeps no artifacts apart from the workspace");

        public async Task<ArtifactSummary> SaveArtifactsAsync(Stream tar, TimeSpan? expireIn, CancellationToken cancellationToken)
        {
            var files = await ArtifactPacker.PackAsync(tar, Stream.Null, long.MaxValue, () => "", cancellationToken);
            return new ArtifactSummary(files.Count(f => f.LinkTarget is null), files.Sum(f => f.Size), time.GetUtcNow()) { Where = "in the workspace, where cairn run leaves them" };
        }

        public Task<CacheHit?> FindCacheAsync(string key, IReadOnlyList<string> restoreKeys, CancellationToken cancellationToken) =>
            caches.FindCacheAsync(key, restoreKeys, cancellationToken);

        public Task<Stream> OpenCacheAsync(CacheHit hit, CancellationToken cancellationToken) => caches.OpenCacheAsync(hit, cancellationToken);

        public Task<CacheSaved?> SaveCacheAsync(string key, Stream tar, CancellationToken cancellationToken) =>
            caches.SaveCacheAsync(key, tar, cancellationToken);
    }
}
