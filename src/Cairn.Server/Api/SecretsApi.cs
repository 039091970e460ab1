using System.Globalization;
using Cairn.Core.Repositories;
using Cairn.Core.Secrets;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>What a client sends to set a secret. The value is write-only: no answer ever carries it.</summary>
public sealed record SecretRequest(string? Value);

/// <summary>A secret as the API shows it: its name, where it belongs (null: global) and when it was last set.</summary>
public sealed record SecretView(string Name, string? Scope, DateTimeOffset UpdatedAt);

/// <summary>Secrets, a repository's and global ones: set, remove and list their names. Each change is in the audit log
/// (<see cref="AuditApi"/>).</summary>
internal static class SecretsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPut(
            "/repos/{owner}/{repo}/secrets/{name}",
            (string owner, string repo, string name, SecretRequest? request, Caller caller, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                PutAsync(caller, $"{owner}/{repo}", name, request, deps, ct)).WithName("SetRepositorySecret")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        api.MapDelete(
            "/repos/{owner}/{repo}/secrets/{name}",
            (string owner, string repo, string name, Caller caller, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                DeleteAsync(caller, $"{owner}/{repo}", name, deps, ct)).WithName("DeleteRepositorySecret")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        api.MapGet(
            "/repos/{owner}/{repo}/secrets",
            (string owner, string repo, [AsParameters] SecretDependencies deps, CancellationToken ct) => ListAsync($"{owner}/{repo}", deps, ct))
            .WithName("ListRepositorySecrets")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        // Secrets of a repository whose name has subgroups (group/sub/project/secrets/NAME).
        api.MapPut(
            "/repos/{**path}",
            (string path, SecretRequest? request, Caller caller, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                RepositoryPath.Parse(path) is { Resource: RepositoryResource.Secret, Secret: { } name } found
                    ? PutAsync(caller, found.Repository, name, request, deps, ct)
                    : Task.FromResult(Problems.NotFound($"there is nothing to set at /api/v1/repos/{path}; a secret is set at repos/NAME/secrets/SECRET")))
            .WithName("SetNestedRepositorySecret")
            .ForRepositoryPath(RepositoryPaths.PermissionOf);
        api.MapPut(
            "/secrets/{name}",
            (string name, SecretRequest? request, Caller caller, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                PutAsync(caller, null, name, request, deps, ct))
            .WithName("SetGlobalSecret")
            .ForGlobal(Permission.ManageGlobalSecrets);
        api.MapDelete(
                "/secrets/{name}",
                (string name, Caller caller, [AsParameters] SecretDependencies deps, CancellationToken ct) => DeleteAsync(caller, null, name, deps, ct))
            .WithName("DeleteGlobalSecret")
            .ForGlobal(Permission.ManageGlobalSecrets);
        api.MapGet("/secrets", ([AsParameters] SecretDependencies deps, CancellationToken ct) => ListAsync(null, deps, ct)).WithName("ListGlobalSecrets")
            .ForGlobal(Permission.ManageGlobalSecrets);
    }

    private static async Task<IResult> PutAsync(
        Caller caller, string? scope, string name, SecretRequest? request, SecretDependencies deps, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (SecretRules.NameError(name) is { } badName)
        {
            errors.Add($"name: {badName}");
        }

        if (request is null)
        {
            errors.Add("send a JSON object: { \"value\": \"…\" }");
        }
        else if (SecretRules.ValueError(request.Value) is { } badValue)
        {
            errors.Add($"value: {badValue}");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (canonical, missing) = await FindScopeAsync(scope, deps.Repositories, cancellationToken);
        if (missing is not null)
        {
            return missing;
        }

        var at = deps.Time.GetUtcNow();
        var created = await deps.SetAsync(caller, canonical, name, request!.Value!, at, cancellationToken);
        var stored = await deps.Secrets.GetSealedSecretAsync(canonical, name, cancellationToken);
        var view = new SecretView(name, stored?.Scope ?? canonical, stored?.UpdatedAt ?? at);
        return created ? Results.Created(SecretPath(canonical, name), view) : Results.Ok(view);
    }

    internal static async Task<IResult> DeleteAsync(Caller caller, string? scope, string name, SecretDependencies deps, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(scope, deps.Repositories, cancellationToken);
        if (found.Problem is { } missing)
        {
            return missing;
        }

        return await deps.RemoveAsync(caller, found.Name, name, cancellationToken)
            ? Results.NoContent()
            : Problems.NotFound(scope is null ? $"there is no global secret {name}" : $"{found.Name} has no secret {name}");
    }

    internal static async Task<IResult> ListAsync(string? scope, SecretDependencies deps, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(scope, deps.Repositories, cancellationToken);
        if (found.Problem is { } missing)
        {
            return missing;
        }

        var secrets = await deps.Secrets.ListSecretsAsync(found.Name, cancellationToken);
        return Results.Ok(new Page<SecretView>([.. secrets.Select(s => new SecretView(s.Name, s.Scope, s.UpdatedAt))], null));
    }

    /// <summary>The repository's name as the server knows it (global: null), or a 404 when there is no such repository.</summary>
    private static async Task<(string? Name, IResult? Problem)> FindScopeAsync(string? scope, IRepositoryStore repositories, CancellationToken cancellationToken)
    {
        if (scope is null)
        {
            return (null, null);
        }

        return await repositories.GetRepositoryAsync(scope, cancellationToken) is { } repository
            ? (repository.Name, null)
            : (scope, Problems.NotFound($"there is no repository {scope}"));
    }

    private static string SecretPath(string? scope, string name) =>
        scope is null ? $"/api/v1/secrets/{name}" : $"/api/v1/repos/{scope}/secrets/{name}";
}

/// <summary>What the secrets endpoints need, taken from the services as one parameter.</summary>
internal sealed record SecretDependencies(
    IRepositoryStore Repositories, ISecretStore Secrets, AuditTrail Audit, RepositorySecrets Sealing, TimeProvider Time)
{
    /// <summary>Seals and keeps a secret of a scope (null: global) and audits it as created or updated by the caller; true
    /// when it is new. The API and the dashboard's form both set secrets through this.</summary>
    public async Task<bool> SetAsync(Caller caller, string? scope, string name, string value, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var created = await Secrets.PutSecretAsync(scope, name, Sealing.SealSecret(scope, name, value), at, cancellationToken);
        await Audit.RecordAsync(
            caller, new NewAuditEntry(at, null, null, scope, name, created ? SecretActions.Created : SecretActions.Updated), cancellationToken);
        return created;
    }

    /// <summary>Removes a secret of a scope (null: global) and audits it as the caller's; false when there was none.</summary>
    public async Task<bool> RemoveAsync(Caller caller, string? scope, string name, CancellationToken cancellationToken)
    {
        if (!await Secrets.DeleteSecretAsync(scope, name, cancellationToken))
        {
            return false;
        }

        await Audit.RecordAsync(caller, new NewAuditEntry(Time.GetUtcNow(), null, null, scope, name, SecretActions.Deleted), cancellationToken);
        return true;
    }
}
