using System.Data.Common;
using Cairn.Core.Workers;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The workers an administrator made (<see cref="IWorkerStore"/>), in SQL both dialects run as written.</summary>
internal sealed class WorkerRecords(IStatementRunner database) : IWorkerStore
{
    private const string WorkerColumns = "id, name, labels, token_id, token_hash, paused, created_at, created_by, last_seen_at, version, address";

    private const string InsertWorker = $"""
        INSERT INTO workers (name, name_key, labels, token_id, token_hash, paused, created_at, created_by)
        VALUES (@name, @key, @labels, @token, @hash, @paused, @at, @by)
        ON CONFLICT DO NOTHING
        RETURNING {WorkerColumns};
        """;

    // A lease of an HTTP worker's slot is owned by NAME/INSTANCE/SLOT: its jobs are those whose owner begins with the
    // name and a slash. substr, not LIKE: '_' may be in a name and is a LIKE wildcard.
    private const string EveryWorker = $"""
        SELECT {WorkerColumns},
            (SELECT count(*) FROM jobs
             WHERE jobs.status = 'running' AND substr(jobs.lease_owner, 1, length(workers.name) + 1) = workers.name || '/')
        FROM workers ORDER BY name_key;
        """;

    private const string WorkerByKey = $"SELECT {WorkerColumns} FROM workers WHERE name_key = @key;";

    private const string WorkerByToken = $"SELECT {WorkerColumns} FROM workers WHERE token_id = @token;";

    private const string SetPaused = "UPDATE workers SET paused = @paused WHERE name_key = @key;";

    private const string DeleteWorker = "DELETE FROM workers WHERE name_key = @key;";

    private const string Touch = "UPDATE workers SET last_seen_at = @at, version = @version, address = @address WHERE id = @id;";

    public async Task<WorkerRecord?> AddWorkerAsync(NewWorker worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        // The case of a name is the caller's to check; its shape matters here, since every lease of the worker holds it.
        if (WorkerNames.Problem(Key(worker.Name)) is { } problem)
        {
            throw new ArgumentException(problem, nameof(worker));
        }

        var added = await database.WriteReturningAsync(
            InsertWorker,
            command => command
                .Bind("@name", worker.Name)
                .Bind("@key", Key(worker.Name))
                .Bind("@labels", StorageJson.Write(worker.Labels))
                .Bind("@token", worker.TokenId)
                .Bind("@hash", worker.TokenHash)
                .Bind("@paused", false)
                .Bind("@at", ToMillis(worker.CreatedAt))
                .Bind("@by", worker.CreatedBy),
            ReadWorker,
            cancellationToken);
        return added.SingleOrDefault();
    }

    public async Task<IReadOnlyList<WorkerRecord>> ListWorkersAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            EveryWorker,
            _ => { },
            row => ReadWorker(row) with { RunningJobs = checked((int)row.GetInt64(11)) },
            cancellationToken);

    public async Task<WorkerRecord?> GetWorkerAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await database.QueryAsync(WorkerByKey, c => c.Bind("@key", Key(name)), ReadWorker, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<WorkerRecord?> GetWorkerByTokenIdAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        var found = await database.QueryAsync(WorkerByToken, c => c.Bind("@token", tokenId), ReadWorker, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<bool> SetWorkerPausedAsync(string name, bool paused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.ExecuteAsync(
            SetPaused, c => c.Bind("@key", Key(name)).Bind("@paused", paused), cancellationToken) == 1;
    }

    public async Task<bool> RemoveWorkerAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.ExecuteAsync(DeleteWorker, c => c.Bind("@key", Key(name)), cancellationToken) == 1;
    }

    public Task TouchWorkerAsync(long id, DateTimeOffset at, string? version, string? address, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            Touch,
            c => c.Bind("@id", id).Bind("@at", ToMillis(at)).Bind("@version", version).Bind("@address", address),
            cancellationToken);

    private static string Key(string name) => name.ToLowerInvariant();

    private static WorkerRecord ReadWorker(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Name: row.GetString(1),
        Labels: StorageJson.ReadNames(row.GetString(2)),
        TokenId: row.GetString(3),
        TokenHash: (byte[])row.GetValue(4),
        Paused: row.GetBoolean(5),
        CreatedAt: FromMillis(row.GetInt64(6)),
        CreatedBy: StringOrNull(row, 7))
    {
        LastSeenAt = row.IsDBNull(8) ? null : FromMillis(row.GetInt64(8)),
        Version = StringOrNull(row, 9),
        Address = StringOrNull(row, 10),
    };
}
