using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Core.Access;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Server.Access;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>What a client sends to add a repository. Secrets are write-only: no answer ever carries them. A public
/// repository's runs and logs may be read by anyone, signed in or not.</summary>
public sealed record RepositoryRequest(
    string? Name,
    string? Forge,
    string? CloneUrl,
    string? ApiUrl,
    string? WebhookSecret,
    string? StatusToken,
    string? DefaultBranch,
    bool? AllowForkSecrets,
    string? ForkPullRequests = null,
    bool? Public = null);

/// <summary>What a client sends to change a repository's settings: what it leaves out stays as it is.
/// <c>maxRunningJobs</c>: how many of its jobs may run at once, 0 to remove the limit.</summary>
public sealed record RepositoryChangeRequest(string? ForkPullRequests, bool? AllowForkSecrets, bool? Public = null, int? MaxRunningJobs = null);

/// <summary>A repository as the API shows it. <c>forkPullRequests</c> is <c>approve</c>, <c>run</c> or <c>ignore</c>;
/// <c>maxRunningJobs</c> is null when its jobs may run without limit.</summary>
public sealed record RepositoryView(
    string Name,
    string Forge,
    string CloneUrl,
    string ApiUrl,
    string DefaultBranch,
    bool AllowForkSecrets,
    bool HasWebhookSecret,
    bool HasStatusToken,
    string WebhookUrl,
    DateTimeOffset CreatedAt,
    string ForkPullRequests,
    bool Public)
{
    public int? MaxRunningJobs { get; init; }
}

internal static partial class ReposApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/repos", AddAsync).WithName("AddRepository").ForGlobal(Permission.ManageRepositories);
        // Lists only what the caller may see, to those signed in: a public repository opens its runs, not its settings.
        api.MapGet("/repos", ListAsync).WithName("ListRepositories").ForSignedIn();
        // The whole rest of the path: a GitLab project's name may hold subgroups (group/sub/project). For such names
        // the secrets' GET and DELETE come here too (see RepositoryPath); owner/repo ones have routes of their own.
        api.MapGet("/repos/{**name}", GetAsync).WithName("GetRepository").ForRepositoryPath(RepositoryPaths.PermissionOf, "name");
        api.MapPatch("/repos/{**name}", ChangeAsync).WithName("ChangeRepository").ForRepositoryPath(RepositoryPaths.PermissionOf, "name");
        api.MapDelete("/repos/{**name}", DeleteAsync).WithName("DeleteRepository").ForRepositoryPath(RepositoryPaths.PermissionOf, "name");
    }

    private static async Task<IResult> AddAsync(
        RepositoryRequest? request, IRepositoryStore repositories, RepositorySecrets secrets, IForgeDirectory forges,
        ServerSettings settings, TimeProvider time, RepositoryRegistrations registrations, Caller caller, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.BadRequest("send a JSON object: { \"name\": \"owner/repo\", \"forge\": \"github\", \"cloneUrl\": \"…\", \"webhookSecret\": \"…\" }");
        }

        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (RepositoryName.Check(name) is { } badName)
        {
            errors.Add($"name: {badName}");
        }

        if (!ForgeNames.TryParse(request.Forge, out var forge))
        {
            errors.Add($"forge: '{request.Forge}' is not a forge (github, gitlab, gitea, bitbucket)");
        }

        var cloneUrl = request.CloneUrl?.Trim();
        if (cloneUrl is null || !IsCloneUrl(cloneUrl))
        {
            errors.Add($"cloneUrl: '{request.CloneUrl}' is not a git URL (https://…, ssh://…, git@host:path or file://…)");
        }

        var apiUrl = request.ApiUrl?.Trim();
        if (apiUrl is not null && (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https")))
        {
            errors.Add($"apiUrl: '{apiUrl}' is not an http:// or https:// address");
        }

        var branch = string.IsNullOrWhiteSpace(request.DefaultBranch) ? "main" : request.DefaultBranch.Trim();
        if (branch.Contains(' ', StringComparison.Ordinal) || branch.StartsWith("refs/", StringComparison.Ordinal))
        {
            errors.Add($"defaultBranch: '{branch}' is not a branch name (give it without refs/heads/)");
        }

        var policy = ForkPullRequestPolicy.Approve;
        if (request.ForkPullRequests is not null && !ForkPullRequestPolicies.TryParse(request.ForkPullRequests, out policy))
        {
            errors.Add(ForkPullRequestPolicies.Error("forkPullRequests", request.ForkPullRequests));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var record = new RepositoryRecord(
            name!,
            forge,
            cloneUrl!,
            (apiUrl ?? forges.Get(forge).DefaultApiUrl).TrimEnd('/'),
            branch,
            secrets.SealWebhookSecret(name!, request.WebhookSecret),
            secrets.SealForgeToken(name!, request.StatusToken),
            time.GetUtcNow())
        {
            AllowForkSecrets = request.AllowForkSecrets ?? false,
            ForkPullRequests = policy,
            Public = request.Public ?? false,
        };
        if (!await repositories.AddRepositoryAsync(record, cancellationToken))
        {
            return Problems.Conflict($"a repository named {name} is already there; remove it first to change it");
        }

        registrations.Added(record);
        await audit.RecordAsync(
            caller, AuditActions.RepositoryAdded, record.Name, null, AuditOutcomes.Ok, $"{record.Forge.ToWire()} {record.CloneUrl}", cancellationToken);
        return Results.Created($"/api/v1/repos/{record.Name}", View(record, settings));
    }

    private static async Task<IResult> ListAsync(
        IRepositoryStore repositories, ServerSettings settings, Caller caller, RepositoryAccess access, CancellationToken cancellationToken)
    {
        var visible = await access.VisibleAsync(caller, cancellationToken);
        var all = await repositories.ListRepositoriesAsync(cancellationToken);
        return Results.Ok(new Page<RepositoryView>(all.Where(r => visible.Allows(r.Name)).Select(r => View(r, settings)).ToList(), null));
    }

    private static async Task<IResult> GetAsync(
        string name, IRepositoryStore repositories, ServerSettings settings, [AsParameters] SecretDependencies secrets, CancellationToken cancellationToken)
    {
        if (RepositoryPath.Parse(name) is { Resource: RepositoryResource.Secrets } path)
        {
            return await SecretsApi.ListAsync(path.Repository, secrets, cancellationToken);
        }

        return await repositories.GetRepositoryAsync(name, cancellationToken) is { } record
            ? Results.Ok(View(record, settings))
            : Problems.NotFound($"there is no repository {name}");
    }

    private static async Task<IResult> ChangeAsync(
        string name, RepositoryChangeRequest? request, IRepositoryStore repositories, ServerSettings settings, Caller caller, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (request is null || (request.ForkPullRequests is null && request.AllowForkSecrets is null && request.Public is null && request.MaxRunningJobs is null))
        {
            return Problems.BadRequest(
                "send a JSON object with what to change: { \"forkPullRequests\": \"approve\" | \"run\" | \"ignore\", \"allowForkSecrets\": true | false, \"public\": true | false, \"maxRunningJobs\": N (0: no limit) }");
        }

        if (request.MaxRunningJobs is < 0 and var below)
        {
            return Problems.Validation(
                [string.Create(CultureInfo.InvariantCulture, $"maxRunningJobs: {below} is below zero; give how many jobs may run at once, or 0 for no limit")]);
        }

        ForkPullRequestPolicy? policy = null;
        if (request.ForkPullRequests is not null)
        {
            if (!ForkPullRequestPolicies.TryParse(request.ForkPullRequests, out var parsed))
            {
                return Problems.Validation([ForkPullRequestPolicies.Error("forkPullRequests", request.ForkPullRequests)]);
            }

            policy = parsed;
        }

        var changed = await repositories.UpdateRepositoryAsync(
            name, new RepositorySettingsChange(policy, request.AllowForkSecrets, request.Public, request.MaxRunningJobs), cancellationToken);
        if (changed is null)
        {
            return Problems.NotFound($"there is no repository {name}");
        }

        var said = string.Join(
            ", ",
            new[]
            {
                policy is { } p ? $"forkPullRequests={p.ToWire()}" : null,
                request.AllowForkSecrets is { } allow ? $"allowForkSecrets={(allow ? "true" : "false")}" : null,
                request.Public is { } open ? $"public={(open ? "true" : "false")}" : null,
                request.MaxRunningJobs is { } max ? string.Create(CultureInfo.InvariantCulture, $"maxRunningJobs={max}") : null,
            }.OfType<string>());
        await audit.RecordAsync(caller, AuditActions.RepositoryChanged, changed.Name, null, AuditOutcomes.Ok, said, cancellationToken);
        return Results.Ok(View(changed, settings));
    }

    private static async Task<IResult> DeleteAsync(
        string name, IRepositoryStore repositories, Caller caller, [AsParameters] SecretDependencies secrets, CancellationToken cancellationToken)
    {
        if (RepositoryPath.Parse(name) is { Resource: RepositoryResource.Secret, Secret: { } secret } path)
        {
            return await SecretsApi.DeleteAsync(caller, path.Repository, secret, secrets, cancellationToken);
        }

        // The name as the server keeps it, so that the entry reads as the repository's others do.
        var known = (await repositories.GetRepositoryAsync(name, cancellationToken))?.Name ?? name;
        if (!await repositories.DeleteRepositoryAsync(name, cancellationToken))
        {
            return Problems.NotFound($"there is no repository {name}");
        }

        await secrets.Audit.RecordAsync(caller, AuditActions.RepositoryRemoved, known, null, AuditOutcomes.Ok, null, cancellationToken);
        return Results.NoContent();
    }

    internal static RepositoryView View(RepositoryRecord record, ServerSettings settings) => new(
        record.Name,
        record.Forge.ToWire(),
        record.CloneUrl,
        record.ApiUrl,
        record.DefaultBranch,
        record.AllowForkSecrets,
        record.SealedWebhookSecret is not null,
        record.SealedForgeToken is not null,
        new Uri(settings.PublicUrl, $"hooks/{record.Forge.ToWire()}").ToString(),
        record.CreatedAt,
        record.ForkPullRequests.ToWire(),
        record.Public)
    {
        MaxRunningJobs = record.MaxRunningJobs,
    };

    private static bool IsCloneUrl(string url) =>
        (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ssh" or "git" or "file")
        || ScpLike().IsMatch(url);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+@[A-Za-z0-9_.\-]+:[^\s]+$")]
    private static partial Regex ScpLike();
}

/// <summary>A list answer: the items and the cursor of the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
