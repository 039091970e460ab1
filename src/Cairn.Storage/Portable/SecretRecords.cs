using System.Data.Common;
using Cairn.Core.Secrets;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>Repository and global secrets (sealed values only) and the audit log (of their use and of every change a person
/// made), alike for both dialects. The log is only appended to: no statement here changes or removes an entry, and the
/// schema's triggers refuse any that would.</summary>
/// <remarks>A global secret's scope key is the empty string, which no repository's name can be: a unique key with a
/// NULL in it would not be unique in either database.</remarks>
internal sealed class SecretRecords(IStatementRunner database) : ISecretStore, IAuditLog
{
    private const string SecretColumns = "scope, name, sealed_value, created_at, updated_at";

    private const string AuditColumns = "id, at, run_id, job_id, repository, secret, action, actor, detail, token_name, target, client_address, outcome";

    private const string InsertSecret = """
        INSERT INTO secrets (scope_key, scope, name, sealed_value, created_at, updated_at)
        VALUES (@key, @scope, @name, @value, @at, @at)
        ON CONFLICT (scope_key, name) DO NOTHING;
        """;

    private const string ReplaceSecret = "UPDATE secrets SET sealed_value = @value, updated_at = @at WHERE scope_key = @key AND name = @name;";

    private const string DeleteSecret = "DELETE FROM secrets WHERE scope_key = @key AND name = @name;";

    private const string SecretsOfScope = $"SELECT {SecretColumns} FROM secrets WHERE scope_key = @key ORDER BY name;";

    private const string EverySecret = $"SELECT {SecretColumns} FROM secrets ORDER BY scope_key, name;";

    private const string SecretByName = $"SELECT {SecretColumns} FROM secrets WHERE scope_key = @key AND name = @name;";

    private const string AppendAudit = $"""
        INSERT INTO secret_audit (at, run_id, job_id, repository, secret, action, actor, detail, token_name, target, client_address, outcome)
        VALUES (@at, @run, @job, @repository, @secret, @action, @actor, @detail, @token, @target, @address, @outcome)
        RETURNING {AuditColumns};
        """;

    /// <summary>The statement that removes a repository's secrets with it.</summary>
    public const string DeleteSecretsOfRepository = "DELETE FROM secrets WHERE scope_key = @key;";

    public static string ScopeKey(string? scope) => scope is null ? "" : ServerRows.RepositoryKey(scope);

    public async Task<bool> PutSecretAsync(string? scope, string name, byte[] sealedValue, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(sealedValue);
        if (scope is { Length: 0 })
        {
            throw new ArgumentException("a repository's name cannot be empty; a global secret has no scope (null)", nameof(scope));
        }

        void Bind(DbCommand command) => BindKey(command, scope, name).Bind("@value", sealedValue).Bind("@at", ToMillis(at));

        // Insert, else replace: each says which it did, and a delete between the two only means going round again.
        while (true)
        {
            if (await database.ExecuteAsync(InsertSecret, c => Bind(c.Bind("@scope", scope)), cancellationToken) == 1)
            {
                return true;
            }

            if (await database.ExecuteAsync(ReplaceSecret, Bind, cancellationToken) == 1)
            {
                return false;
            }
        }
    }

    public async Task<bool> DeleteSecretAsync(string? scope, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await database.ExecuteAsync(DeleteSecret, c => BindKey(c, scope, name), cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<SecretEntry>> ListSecretsAsync(string? scope, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            SecretsOfScope,
            c => c.Bind("@key", ScopeKey(scope)),
            row => new SecretEntry(StringOrNull(row, 0), row.GetString(1), FromMillis(row.GetInt64(3)), FromMillis(row.GetInt64(4))),
            cancellationToken);

    public async Task<IReadOnlyList<SecretEntry>> ListAllSecretsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync(
            EverySecret,
            _ => { },
            row => new SecretEntry(StringOrNull(row, 0), row.GetString(1), FromMillis(row.GetInt64(3)), FromMillis(row.GetInt64(4))),
            cancellationToken);

    public async Task<SealedSecret?> GetSealedSecretAsync(string? scope, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await database.QueryAsync(SecretByName, c => BindKey(c, scope, name), ReadSealed, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task<AuditEntry> AppendAuditAsync(NewAuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var appended = await database.WriteReturningAsync(
            AppendAudit,
            command => command
                .Bind("@at", ToMillis(entry.At))
                .Bind("@run", entry.RunId)
                .Bind("@job", entry.JobId)
                .Bind("@repository", entry.Repository)
                .Bind("@secret", entry.Secret)
                .Bind("@action", entry.Action)
                .Bind("@actor", entry.Actor)
                .Bind("@detail", entry.Detail)
                .Bind("@token", entry.TokenName)
                .Bind("@target", entry.Target)
                .Bind("@address", entry.ClientAddress)
                .Bind("@outcome", entry.Outcome),
            ReadAudit,
            cancellationToken);
        return appended.Single();
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);

        // Names compare in lower case, as the indexes keep them.
        var filters = new SqlFilters();
        if (query.Actor is { } actor)
        {
            filters.Add("lower(actor) = @actor", "@actor", actor.ToLowerInvariant());
        }

        if (query.Action is { } action)
        {
            filters.Add("action = @action", "@action", action);
        }

        if (query.Repository is { } repository)
        {
            filters.Add("lower(repository) = @repository", "@repository", repository.ToLowerInvariant());
        }

        if (query.Repositories is { } visible)
        {
            filters.AddIn("lower(repository)", visible.Select(name => name.ToLowerInvariant()));
        }

        if (query.BeforeId is { } before)
        {
            filters.Add("id < @before", "@before", before);
        }

        return await database.QueryAsync(
            $"SELECT {AuditColumns} FROM secret_audit {filters.Where} ORDER BY id DESC LIMIT @limit;",
            command =>
            {
                filters.BindTo(command);
                command.Bind("@limit", query.Limit);
            },
            ReadAudit,
            cancellationToken);
    }

    private static DbCommand BindKey(DbCommand command, string? scope, string name) =>
        command.Bind("@key", ScopeKey(scope)).Bind("@name", name);

    private static SealedSecret ReadSealed(DbDataReader row) => new(
        StringOrNull(row, 0), row.GetString(1), (byte[])row.GetValue(2), FromMillis(row.GetInt64(3)), FromMillis(row.GetInt64(4)));

    private static AuditEntry ReadAudit(DbDataReader row) => new(
        Id: row.GetInt64(0),
        At: FromMillis(row.GetInt64(1)),
        RunId: row.IsDBNull(2) ? null : row.GetInt64(2),
        JobId: row.IsDBNull(3) ? null : row.GetInt64(3),
        Repository: StringOrNull(row, 4),
        Secret: StringOrNull(row, 5),
        Action: row.GetString(6),
        Actor: StringOrNull(row, 7),
        Detail: StringOrNull(row, 8))
    {
        TokenName = StringOrNull(row, 9),
        Target = StringOrNull(row, 10),
        ClientAddress = StringOrNull(row, 11),
        Outcome = row.GetString(12),
    };
}
