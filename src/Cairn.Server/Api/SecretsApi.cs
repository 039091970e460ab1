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

/// <summary>One audit entry as the API shows it: a secret read or changed (<c>secret</c> set), or a run approved or rejected
/// (<c>action</c> <c>approve</c> or <c>reject</c>, <c>detail</c> the reason given). <c>actor</c> is who acted through the API.</summary>
public sealed record AuditView(
    long Id, DateTimeOffset At, long? RunId, long? JobId, string? Repository, string? Secret, string Action, string? Actor, string? Detail);

/// <summary>Secrets, a repository's and global ones: set, remove and list their names; and the audit log of their use (and
/// of runs approved or rejected).</summary>
internal static class SecretsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPut(
            "/repos/{owner}/{repo}/secrets/{name}",
            (string owner, string repo, string name, SecretRequest? request, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                PutAsync($"{owner}/{repo}", name, request, deps, ct)).WithName("SetRepositorySecret")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        api.MapDelete(
            "/repos/{owner}/{repo}/secrets/{name}",
            (string owner, string repo, string name, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                DeleteAsync($"{owner}/{repo}", name, deps, ct)).WithName("DeleteRepositorySecret")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        api.MapGet(
            "/repos/{owner}/{repo}/secrets",
            (string owner, string repo, [AsParameters] SecretDependencies deps, CancellationToken ct) => ListAsync($"{owner}/{repo}", deps, ct))
            .WithName("ListRepositorySecrets")
            .ForRepository(Permission.ManageRepositorySecrets, "owner", "repo");
        // Secrets of a repository whose name has subgroups (group/sub/project/secrets/NAME).
        api.MapPut(
            "/repos/{**path}",
            (string path, SecretRequest? request, [AsParameters] SecretDependencies deps, CancellationToken ct) =>
                RepositoryPath.Parse(path) is { Resource: RepositoryResource.Secret, Secret: { } name } found
                    ? PutAsync(found.Repository, name, request, deps, ct)
                    : Task.FromResult(Problems.NotFound($"there is nothing to set at /api/v1/repos/{path}; a secret is set at repos/NAME/secrets/SECRET")))
            .WithName("SetNestedRepositorySecret")
            .ForRepositoryPath(RepositoryPaths.PermissionOf);
        api.MapPut(
            "/secrets/{name}",
            (string name, SecretRequest? request, [AsParameters] SecretDependencies deps, CancellationToken ct) => PutAsync(null, name, request, deps, ct))
            .WithName("SetGlobalSecret")
            .ForGlobal(Permission.ManageGlobalSecrets);
        api.MapDelete("/secrets/{name}", (string name, [AsParameters] SecretDependencies deps, CancellationToken ct) => DeleteAsync(null, name, deps, ct))
            .WithName("DeleteGlobalSecret")
            .ForGlobal(Permission.ManageGlobalSecrets);
        api.MapGet("/secrets", ([AsParameters] SecretDependencies deps, CancellationToken ct) => ListAsync(null, deps, ct)).WithName("ListGlobalSecrets")
            .ForGlobal(Permission.ManageGlobalSecrets);
        api.MapGet("/audit", AuditAsync).WithName("ListAudit").ForListing();
    }

    private static async Task<IResult> PutAsync(string? scope, string name, SecretRequest? request, SecretDependencies deps, CancellationToken cancellationToken)
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
        var created = await deps.SetAsync(canonical, name, request!.Value!, at, cancellationToken);
        var stored = await deps.Secrets.GetSealedSecretAsync(canonical, name, cancellationToken);
        var view = new SecretView(name, stored?.Scope ?? canonical, stored?.UpdatedAt ?? at);
        return created ? Results.Created(SecretPath(canonical, name), view) : Results.Ok(view);
    }

    internal static async Task<IResult> DeleteAsync(string? scope, string name, SecretDependencies deps, CancellationToken cancellationToken)
    {
        var found = await FindScopeAsync(scope, deps.Repositories, cancellationToken);
        if (found.Problem is { } missing)
        {
            return missing;
        }

        return await deps.RemoveAsync(found.Name, name, cancellationToken)
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

    private static async Task<IResult> AuditAsync(IAuditLog audit, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var before, out var take, out var problem))
        {
            return problem!;
        }

        var items = await audit.ListAuditAsync(before, take + 1, cancellationToken);
        var page = items.Take(take).Select(e => new AuditView(e.Id, e.At, e.RunId, e.JobId, e.Repository, e.Secret, e.Action, e.Actor, e.Detail)).ToList();
        return Results.Ok(new Page<AuditView>(page, items.Count > take ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
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
    IRepositoryStore Repositories, ISecretStore Secrets, IAuditLog Audit, RepositorySecrets Sealing, TimeProvider Time)
{
    /// <summary>Seals and keeps a secret of a scope (null: global) and audits it as created or updated; true when it is
    /// new. The API and the dashboard's form both set secrets through this.</summary>
    public async Task<bool> SetAsync(string? scope, string name, string value, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var created = await Secrets.PutSecretAsync(scope, name, Sealing.SealSecret(scope, name, value), at, cancellationToken);
        await Audit.AppendAuditAsync(
            new NewAuditEntry(at, null, null, scope, name, created ? SecretActions.Created : SecretActions.Updated, AuditActors.Admin), cancellationToken);
        return created;
    }

    /// <summary>Removes a secret of a scope (null: global) and audits it; false when there was none.</summary>
    public async Task<bool> RemoveAsync(string? scope, string name, CancellationToken cancellationToken)
    {
        if (!await Secrets.DeleteSecretAsync(scope, name, cancellationToken))
        {
            return false;
        }

        await Audit.AppendAuditAsync(new NewAuditEntry(Time.GetUtcNow(), null, null, scope, name, SecretActions.Deleted, AuditActors.Admin), cancellationToken);
        return true;
    }
}
