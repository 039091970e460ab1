using Cairn.Core.Repositories;

namespace Cairn.Storage.Portable;

/// <summary>The repositories a server knows, alike for both dialects.</summary>
internal sealed class RepositoryRecords(IStatementRunner database, TimeProvider time) : IRepositoryStore
{
    public async Task<bool> AddRepositoryAsync(RepositoryRecord repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var added = await database.ExecuteAsync(
            ServerSql.AddRepository,
            command => command
                .Bind("@key", ServerRows.RepositoryKey(repository.Name))
                .Bind("@name", repository.Name)
                .Bind("@forge", Core.Forges.ForgeNames.ToWire(repository.Forge))
                .Bind("@clone", repository.CloneUrl)
                .Bind("@api", repository.ApiUrl)
                .Bind("@branch", repository.DefaultBranch)
                .Bind("@webhook", repository.SealedWebhookSecret)
                .Bind("@token", repository.SealedForgeToken)
                .Bind("@forks", repository.AllowForkSecrets)
                .Bind("@fork_pull_requests", repository.ForkPullRequests.ToWire())
                .Bind("@public", repository.Public)
                .Bind("@max_running", repository.MaxRunningJobs is > 0 ? repository.MaxRunningJobs : null)
                .Bind("@created", RecordRows.ToMillis(repository.CreatedAt)),
            cancellationToken);
        return added == 1;
    }

    public async Task<RepositoryRecord?> GetRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await database.QueryAsync(
            ServerSql.RepositoryByKey, c => c.Bind("@key", ServerRows.RepositoryKey(name)), ServerRows.ReadRepository, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<RepositoryRecord?> UpdateRepositoryAsync(string name, RepositorySettingsChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(change);

        // Only what changes goes into the statement, so that no parameter is a NULL whose type PostgreSQL must guess.
        var sets = new List<string>();
        if (change.ForkPullRequests is not null)
        {
            sets.Add("fork_pull_requests = @fork_pull_requests");
        }

        if (change.AllowForkSecrets is not null)
        {
            sets.Add("allow_fork_secrets = @forks");
        }

        if (change.Public is not null)
        {
            sets.Add("is_public = @public");
        }

        if (change.MaxRunningJobs is { } limit)
        {
            sets.Add(limit > 0 ? "max_running_jobs = @max_running" : "max_running_jobs = NULL");
        }

        var key = ServerRows.RepositoryKey(name);
        var updated = sets.Count == 0
            ? await database.QueryAsync(ServerSql.RepositoryByKey, c => c.Bind("@key", key), ServerRows.ReadRepository, cancellationToken)
            : await database.WriteReturningAsync(
                $"UPDATE repositories SET {string.Join(", ", sets)} WHERE name_key = @key RETURNING {ServerSql.RepositoryColumns};",
                command =>
                {
                    command.Bind("@key", key);
                    if (change.ForkPullRequests is { } policy)
                    {
                        command.Bind("@fork_pull_requests", policy.ToWire());
                    }

                    if (change.AllowForkSecrets is { } allow)
                    {
                        command.Bind("@forks", allow);
                    }

                    if (change.Public is { } open)
                    {
                        command.Bind("@public", open);
                    }

                    if (change.MaxRunningJobs is { } max && max > 0)
                    {
                        command.Bind("@max_running", max);
                    }
                },
                ServerRows.ReadRepository,
                cancellationToken);
        return updated.SingleOrDefault();
    }

    public async Task<int> CountRunningJobsAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var counted = await database.QueryAsync(
            RepositoryLimitSql.CountRunning, c => c.Bind("@key", ServerRows.RepositoryKey(name)), row => row.GetInt64(0), cancellationToken);
        return (int)counted.Single();
    }

    public async Task<IReadOnlyList<RepositoryRecord>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(ServerSql.Repositories, _ => { }, ServerRows.ReadRepository, cancellationToken);

    public async Task<bool> DeleteRepositoryAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = ServerRows.RepositoryKey(name);
        return await database.InTransactionAsync(
            async transaction =>
            {
                await transaction.ExecuteAsync(ServerSql.DeleteSchedulesOfRepository, c => c.Bind("@key", key), cancellationToken);
                await transaction.ExecuteAsync(SecretRecords.DeleteSecretsOfRepository, c => c.Bind("@key", key), cancellationToken);
                await transaction.ExecuteAsync(MemberRecords.DeleteGrantsOfRepository, c => c.Bind("@key", key), cancellationToken);
                await transaction.ExecuteAsync(
                    CacheRecords.DeleteOfRepository, c => c.Bind("@key", key).Bind("@queued", RecordRows.ToMillis(time.GetUtcNow())), cancellationToken);
                return await transaction.ExecuteAsync(ServerSql.DeleteRepository, c => c.Bind("@key", key), cancellationToken) == 1;
            },
            cancellationToken);
    }
}
