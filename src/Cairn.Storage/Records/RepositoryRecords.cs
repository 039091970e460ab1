using Cairn.Core.Repositories;

namespace Cairn.Storage.Records;

/// <summary>The repositories a server knows, alike for both dialects.</summary>
internal sealed class RepositoryRecords(IStatementRunner database) : IRepositoryStore
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
                .Bind("@token", repository.SealedStatusToken)
                .Bind("@forks", repository.AllowForkSecrets)
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
                return await transaction.ExecuteAsync(ServerSql.DeleteRepository, c => c.Bind("@key", key), cancellationToken) == 1;
            },
            cancellationToken);
    }
}
