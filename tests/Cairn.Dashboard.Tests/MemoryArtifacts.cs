using System.Collections.Concurrent;
using Cairn.Core.Artifacts;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Dashboard.Tests;

/// <summary>Artifacts kept in memory, as the dashboard reads them through <see cref="IArtifactIndex"/> and
/// <see cref="IBlobStore"/>: a set's blob is its files' bytes one after another, each file at its offset, as a tar's
/// index names them.</summary>
public sealed class MemoryArtifacts
{
    private readonly MemoryArtifactIndex index = new();
    private readonly MemoryBlobStore blobs = new();

    /// <summary>Puts these in place of the server's own.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IArtifactIndex>(index);
        services.AddSingleton<IBlobStore>(blobs);
    }

    /// <summary>Records what job <paramref name="jobName"/> of run <paramref name="runId"/> kept.</summary>
    public async Task KeepAsync(long runId, long jobId, string jobName, string? repository, params (string Path, byte[] Bytes)[] files)
    {
        var blob = BlobKeys.Artifacts(runId, jobId, 1);
        using var content = new MemoryStream();
        var recorded = new List<ArtifactFile>();
        var now = DateTimeOffset.UtcNow;
        foreach (var (path, bytes) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            recorded.Add(new ArtifactFile(path, bytes.Length, content.Length, 420, now.AddMinutes(-3)));
            content.Write(bytes);
        }

        content.Position = 0;
        await blobs.PutAsync(blob, content, CancellationToken.None);
        await index.AddArtifactSetAsync(
            new NewArtifactSet(runId, jobId, jobName, 1, repository, blob, recorded.Count, recorded.Sum(f => f.Size), now, now.AddDays(14).AddMinutes(1)),
            recorded,
            CancellationToken.None);
    }

    private sealed class MemoryArtifactIndex : IArtifactIndex
    {
        private readonly Lock gate = new();
        private readonly List<(ArtifactSetRecord Set, List<ArtifactFile> Files)> sets = [];

        public Task<long> AddArtifactSetAsync(NewArtifactSet set, IReadOnlyList<ArtifactFile> files, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                sets.RemoveAll(s => s.Set.RunId == set.RunId && s.Set.JobId == set.JobId);
                var id = sets.Count == 0 ? 1 : sets.Max(s => s.Set.Id) + 1;
                sets.Add((new ArtifactSetRecord(
                    id, set.RunId, set.JobId, set.JobName, set.Attempt, set.Repository, set.Blob, set.Files, set.Bytes, set.CreatedAt, set.ExpiresAt),
                    [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)]));
                return Task.FromResult(id);
            }
        }

        public Task<IReadOnlyList<ArtifactSetRecord>> ListArtifactSetsAsync(long runId, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                return Task.FromResult<IReadOnlyList<ArtifactSetRecord>>([.. sets.Select(s => s.Set).Where(s => s.RunId == runId).OrderBy(s => s.JobId)]);
            }
        }

        public Task<ArtifactSetRecord?> GetArtifactSetAsync(long id, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                return Task.FromResult(sets.Select(s => s.Set).FirstOrDefault(s => s.Id == id));
            }
        }

        public Task<IReadOnlyList<ArtifactFile>> ListArtifactFilesAsync(long setId, string prefix, int limit, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                return Task.FromResult<IReadOnlyList<ArtifactFile>>(
                    [.. sets.Where(s => s.Set.Id == setId).SelectMany(s => s.Files).Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).Take(limit)]);
            }
        }

        public Task<ArtifactFile?> GetArtifactFileAsync(long setId, string path, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                return Task.FromResult(sets.Where(s => s.Set.Id == setId).SelectMany(s => s.Files).FirstOrDefault(f => f.Path == path));
            }
        }

        public Task<long> RepositoryArtifactBytesAsync(string repository, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                return Task.FromResult(sets.Where(s => s.Set.Repository == repository).Sum(s => s.Set.Bytes));
            }
        }

        public Task<int> ExpireArtifactSetsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<string>> TakeBlobDeletionsAsync(int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public Task ForgetBlobDeletionsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class MemoryBlobStore : IBlobStore
    {
        private readonly ConcurrentDictionary<string, byte[]> blobs = new(StringComparer.Ordinal);

        public string Description => "memory";

        public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            blobs[key] = copy.ToArray();
        }

        public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken cancellationToken) =>
            Task.FromResult<Stream?>(blobs.TryGetValue(key, out var bytes)
                ? new MemoryStream(bytes, (int)offset, (int)(length ?? bytes.Length - offset), writable: false)
                : null);

        public Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            blobs.TryRemove(key, out _);
            return Task.CompletedTask;
        }
    }
}
