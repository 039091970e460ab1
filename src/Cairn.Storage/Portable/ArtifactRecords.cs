using System.Data.Common;
using Cairn.Core.Artifacts;
using static Cairn.Storage.Portable.ArtifactSql;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The index of artifact sets and their files, and the queue of blobs to delete (<see cref="IArtifactIndex"/>), in
/// SQL both dialects run as written but for the insert of a set's files (<see cref="ArtifactFileInsert"/>), which takes
/// thousands of them in one statement.</summary>
internal sealed class ArtifactRecords(IStatementRunner database, ArtifactFileInsert fileInsert, TimeProvider time) : IArtifactIndex
{
    /// <summary>Files per insert statement.</summary>
    internal const int FilesPerStatement = 5000;

    /// <summary>Ids or keys in one <c>IN (…)</c> list.</summary>
    internal const int ListedPerStatement = 500;

    private const string EarlierSetsOfJob = "SELECT id FROM artifact_sets WHERE job_id = @job";

    private const string InsertSet = $"""
        INSERT INTO artifact_sets (run_id, job_id, job_name, attempt, repository, blob, files, bytes, created_at, expires_at)
        VALUES (@run, @job, @name, @attempt, @repository, @blob, @files, @bytes, @created, @expires)
        RETURNING id;
        """;

    private const string SetsOfRun = $"""
        SELECT {SetColumns} FROM artifact_sets WHERE run_id = @run AND expires_at > @now ORDER BY job_id, id;
        """;

    private const string SetById = $"SELECT {SetColumns} FROM artifact_sets WHERE id = @id;";

    private const string FileByPath = $"SELECT {FileColumns} FROM artifact_files WHERE set_id = @set AND path = @path;";

    private const string RepositoryBytes = """
        SELECT coalesce(sum(bytes), 0) FROM artifact_sets WHERE lower(repository) = @key AND expires_at > @now;
        """;

    private const string ExpiredBatch = """
        SELECT id FROM artifact_sets WHERE expires_at < @now ORDER BY expires_at, id LIMIT @limit;
        """;

    private const string QueuedBlobs = "SELECT blob FROM blob_deletions ORDER BY queued_at, blob LIMIT @limit;";

    public async Task<long> AddArtifactSetAsync(NewArtifactSet set, IReadOnlyList<ArtifactFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(files);
        return await database.InTransactionAsync(
            async transaction =>
            {
                void Job(DbCommand c) => c.Bind("@job", set.JobId).Bind("@queued", ToMillis(set.CreatedAt));
                await transaction.ExecuteAsync(QueueSetBlobs(EarlierSetsOfJob), Job, cancellationToken);
                await transaction.ExecuteAsync(DeleteSets(EarlierSetsOfJob), Job, cancellationToken);
                var ids = await transaction.WriteReturningAsync(
                    InsertSet,
                    c => c
                        .Bind("@run", set.RunId)
                        .Bind("@job", set.JobId)
                        .Bind("@name", set.JobName)
                        .Bind("@attempt", set.Attempt)
                        .Bind("@repository", set.Repository)
                        .Bind("@blob", set.Blob)
                        .Bind("@files", set.Files)
                        .Bind("@bytes", set.Bytes)
                        .Bind("@created", ToMillis(set.CreatedAt))
                        .Bind("@expires", ToMillis(set.ExpiresAt)),
                    row => row.GetInt64(0),
                    cancellationToken);
                var setId = ids.Single();
                for (var start = 0; start < files.Count; start += FilesPerStatement)
                {
                    var count = Math.Min(FilesPerStatement, files.Count - start);
                    var chunk = files is List<ArtifactFile> list ? list.GetRange(start, count) : files.Skip(start).Take(count).ToList();
                    await transaction.ExecuteAsync(
                        fileInsert.Sql, c => fileInsert.BindRows(c.Bind("@set", setId), chunk), cancellationToken);
                }

                return setId;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<ArtifactSetRecord>> ListArtifactSetsAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(SetsOfRun, c => c.Bind("@run", runId).Bind("@now", ToMillis(time.GetUtcNow())), ReadSet, cancellationToken);

    public async Task<ArtifactSetRecord?> GetArtifactSetAsync(long id, CancellationToken cancellationToken) =>
        (await database.QueryAsync(SetById, c => c.Bind("@id", id), ReadSet, cancellationToken)).SingleOrDefault();

    public async Task<IReadOnlyList<ArtifactFile>> ListArtifactFilesAsync(long setId, string prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var filters = new SqlFilters();
        filters.Add("set_id = @set", "@set", setId);
        if (prefix.Length > 0)
        {
            filters.Add("path >= @from", "@from", prefix);
            if (PrefixEnd(prefix) is { } end)
            {
                filters.Add("path < @to", "@to", end);
            }
        }

        return await database.QueryAsync(
            $"SELECT {FileColumns} FROM artifact_files {filters.Where} ORDER BY path LIMIT @limit;",
            c =>
            {
                filters.BindTo(c);
                c.Bind("@limit", limit);
            },
            ReadFile,
            cancellationToken);
    }

    public async Task<ArtifactFile?> GetArtifactFileAsync(long setId, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (await database.QueryAsync(FileByPath, c => c.Bind("@set", setId).Bind("@path", path), ReadFile, cancellationToken)).SingleOrDefault();
    }

    public async Task<long> RepositoryArtifactBytesAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var sums = await database.QueryAsync(
            RepositoryBytes,
            c => c.Bind("@key", ServerRows.RepositoryKey(repository)).Bind("@now", ToMillis(time.GetUtcNow())),
            row => Convert.ToInt64(row.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken);
        return sums.Single();
    }

    public async Task<int> ExpireArtifactSetsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await database.InTransactionAsync(
            async transaction =>
            {
                var ids = await transaction.QueryAsync(
                    ExpiredBatch, c => c.Bind("@now", ToMillis(now)).Bind("@limit", limit), row => row.GetInt64(0), cancellationToken);
                var gone = 0;
                foreach (var chunk in ids.Chunk(ListedPerStatement))
                {
                    var sets = Parameters("set", chunk.Length);
                    void Bind(DbCommand c)
                    {
                        BindEach(c, "set", chunk);
                        c.Bind("@queued", ToMillis(now));
                    }

                    await transaction.ExecuteAsync(QueueSetBlobs(sets), Bind, cancellationToken);
                    await transaction.ExecuteAsync($"DELETE FROM artifact_files WHERE set_id IN ({sets});", Bind, cancellationToken);
                    gone += await transaction.ExecuteAsync($"DELETE FROM artifact_sets WHERE id IN ({sets});", Bind, cancellationToken);
                }

                return gone;
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<string>> TakeBlobDeletionsAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await database.QueryAsync(QueuedBlobs, c => c.Bind("@limit", limit), row => row.GetString(0), cancellationToken);
    }

    public async Task ForgetBlobDeletionsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var chunk in keys.Chunk(ListedPerStatement))
        {
            await database.ExecuteAsync(
                $"DELETE FROM blob_deletions WHERE blob IN ({Parameters("blob", chunk.Length)});", c => BindEach(c, "blob", chunk), cancellationToken);
        }
    }
}
