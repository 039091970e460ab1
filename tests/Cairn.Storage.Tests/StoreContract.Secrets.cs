using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Secrets;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>Secrets by repository or global, and the audit log of their use.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Secrets_AreKeptPerScope_RepositoriesCompareWithoutRegardToCase_AndGlobalIsAScopeOfItsOwn()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();

        Assert.True(await scope.Store.PutSecretAsync("Octo/App", "TOKEN", [1, 2, 3], at, Token));
        Assert.True(await scope.Store.PutSecretAsync(null, "TOKEN", [4, 5], at, Token));
        Assert.True(await scope.Store.PutSecretAsync("octo/other", "TOKEN", [6], at, Token));
        Assert.True(await scope.Store.PutSecretAsync("octo/app", "token", [7], at, Token));
        Assert.True(await scope.Store.PutSecretAsync("octo/app", "A_KEY", [8], at, Token));

        var repository = await scope.Store.GetSealedSecretAsync("OCTO/app", "TOKEN", Token);
        var global = await scope.Store.GetSealedSecretAsync(null, "TOKEN", Token);
        Assert.Equal([1, 2, 3], repository!.SealedValue);
        Assert.Equal(("Octo/App", "TOKEN", at, at), (repository.Scope, repository.Name, repository.CreatedAt, repository.UpdatedAt));
        Assert.Equal([4, 5], global!.SealedValue);
        Assert.Null(global.Scope);
        Assert.Equal([7], (await scope.Store.GetSealedSecretAsync("octo/app", "token", Token))!.SealedValue);
        Assert.Null(await scope.Store.GetSealedSecretAsync("octo/app", "MISSING", Token));
        Assert.Null(await scope.Store.GetSealedSecretAsync("octo/nothing", "TOKEN", Token));
        Assert.Null(await scope.Store.GetSealedSecretAsync(null, "A_KEY", Token));

        Assert.Equal(["A_KEY", "TOKEN", "token"], (await scope.Store.ListSecretsAsync("octo/APP", Token)).Select(s => s.Name));
        Assert.Equal([new SecretEntry(null, "TOKEN", at, at)], await scope.Store.ListSecretsAsync(null, Token));
        Assert.Empty(await scope.Store.ListSecretsAsync("octo/nothing", Token));
    }

    [Fact]
    public async Task PutSecret_AgainReplacesTheValue_KeepsWhenItWasCreated_AndSaysWhichItDid()
    {
        await using var scope = await OpenAsync();
        var created = scope.Time.GetUtcNow();
        Assert.True(await scope.Store.PutSecretAsync("octo/app", "TOKEN", [1], created, Token));

        scope.Time.Advance(TimeSpan.FromMinutes(5));
        var replaced = await scope.Store.PutSecretAsync("OCTO/APP", "TOKEN", [2, 2], scope.Time.GetUtcNow(), Token);

        Assert.False(replaced);
        var secret = await scope.Store.GetSealedSecretAsync("octo/app", "TOKEN", Token);
        Assert.Equal([2, 2], secret!.SealedValue);
        Assert.Equal((created, scope.Time.GetUtcNow()), (secret.CreatedAt, secret.UpdatedAt));
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM secrets"));
    }

    [Fact]
    public async Task PutSecret_ConcurrentlyFromTwoStores_CreatesItOnce()
    {
        await using var scope = await OpenAsync();
        var other = await scope.OpenAnotherAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(
            () => (i % 2 == 0 ? scope.Store : other).PutSecretAsync(null, "SHARED", [(byte)i], scope.Time.GetUtcNow(), Token), Token)));

        Assert.Single(results, created => created);
        Assert.Equal(1, scope.Scalar("SELECT count(*) FROM secrets"));
    }

    [Fact]
    public async Task DeleteSecret_RemovesOnlyThatScopesSecret()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        await scope.Store.PutSecretAsync("octo/app", "TOKEN", [1], at, Token);
        await scope.Store.PutSecretAsync(null, "TOKEN", [2], at, Token);

        Assert.True(await scope.Store.DeleteSecretAsync("Octo/App", "TOKEN", Token));
        Assert.False(await scope.Store.DeleteSecretAsync("octo/app", "TOKEN", Token));
        Assert.False(await scope.Store.DeleteSecretAsync("octo/app", "OTHER", Token));

        Assert.Null(await scope.Store.GetSealedSecretAsync("octo/app", "TOKEN", Token));
        Assert.NotNull(await scope.Store.GetSealedSecretAsync(null, "TOKEN", Token));
        Assert.True(await scope.Store.DeleteSecretAsync(null, "TOKEN", Token));
        Assert.Equal(0, scope.Scalar("SELECT count(*) FROM secrets"));
    }

    [Fact]
    public async Task DeleteRepository_RemovesItsSecrets_ButNotTheGlobalOnesNorAnothers()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        await scope.Store.AddRepositoryAsync(new RepositoryRecord("octo/app", ForgeKind.GitHub, "https://x.example/a.git", "https://api.github.com", "main", null, null, at), Token);
        await scope.Store.PutSecretAsync("octo/app", "TOKEN", [1], at, Token);
        await scope.Store.PutSecretAsync("octo/apps", "TOKEN", [2], at, Token);
        await scope.Store.PutSecretAsync(null, "TOKEN", [3], at, Token);

        Assert.True(await scope.Store.DeleteRepositoryAsync("OCTO/app", Token));

        Assert.Empty(await scope.Store.ListSecretsAsync("octo/app", Token));
        Assert.Single(await scope.Store.ListSecretsAsync("octo/apps", Token));
        Assert.Single(await scope.Store.ListSecretsAsync(null, Token));
    }

    [Fact]
    public async Task Audit_IsListedNewestFirst_InPages_AndKeepsWhatWasGiven()
    {
        await using var scope = await OpenAsync();
        var appended = new List<AuditEntry>();
        for (var i = 1; i <= 5; i++)
        {
            scope.Time.Advance(TimeSpan.FromSeconds(1));
            appended.Add(await scope.Store.AppendAuditAsync(new NewAuditEntry(scope.Time.GetUtcNow(), 10 + i, 100 + i, "octo/app", $"S{i}", "read"), Token));
        }

        var change = await scope.Store.AppendAuditAsync(new NewAuditEntry(scope.Time.GetUtcNow(), null, null, null, "GLOBAL", "deleted"), Token);

        Assert.Equal(new AuditEntry(appended[0].Id, appended[0].At, 11, 101, "octo/app", "S1", "read"), appended[0]);
        Assert.Equal((null, null, null, "GLOBAL", "deleted"), (change.RunId, change.JobId, change.Repository, change.Secret, change.Action));
        var first = await scope.Store.ListAuditAsync(null, 4, Token);
        Assert.Equal(["GLOBAL", "S5", "S4", "S3"], first.Select(e => e.Secret));
        Assert.Equal(change, first[0]);
        var rest = await scope.Store.ListAuditAsync(first[^1].Id, 4, Token);
        Assert.Equal(appended.Take(2).Reverse(), rest);
        Assert.Empty(await scope.Store.ListAuditAsync(rest[^1].Id, 4, Token));
    }
}
