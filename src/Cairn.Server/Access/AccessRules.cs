using Cairn.Core.Access;
using Cairn.Core.Runs;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Access;

/// <summary>What one request needs before its endpoint runs, once its rule has read the route.</summary>
public abstract record AccessNeed
{
    /// <summary>Nothing: anyone may.</summary>
    public sealed record Nothing : AccessNeed;

    /// <summary>Any signed-in caller.</summary>
    public sealed record SignedIn : AccessNeed;

    /// <summary>A global role allowing the permission.</summary>
    public sealed record Global(Permission Permission) : AccessNeed;

    /// <summary>A role on the repository allowing the permission.</summary>
    public sealed record OnRepository(string Repository, Permission Permission) : AccessNeed;

    /// <summary>Any signed-in caller; the endpoint shows only what they may see.</summary>
    public sealed record Listing : AccessNeed;

    /// <summary>A worker's token, and nothing else: no user, whatever their role, passes.</summary>
    public sealed record Worker : AccessNeed;
}

/// <summary>An endpoint's access rule: the one piece of metadata <see cref="AccessGate"/> enforces. Minimal APIs get one
/// through <see cref="AccessRuleExtensions"/>; Razor pages carry one as an attribute. An endpoint without one is refused
/// to everyone but admins.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class AccessRuleAttribute : Attribute
{
    /// <summary>What the request needs; reads the route and, for a run's rule, the run.</summary>
    public abstract ValueTask<AccessNeed> NeedAsync(HttpContext context);

    /// <summary>How a table of rules names this one.</summary>
    public abstract string Describe();
}

/// <summary>Anyone may: health, webhooks (the forge signs them), sign-in.</summary>
public sealed class OpenAccessAttribute : AccessRuleAttribute
{
    public override ValueTask<AccessNeed> NeedAsync(HttpContext context) => ValueTask.FromResult<AccessNeed>(new AccessNeed.Nothing());

    public override string Describe() => "open";
}

/// <summary>The worker calls: only a caller with a worker's token (<see cref="CallerMethod.Worker"/>) passes; the endpoint
/// then checks that what it is asked about (a lease) is that worker's.</summary>
public sealed class WorkerAccessAttribute : AccessRuleAttribute
{
    public override ValueTask<AccessNeed> NeedAsync(HttpContext context) => ValueTask.FromResult<AccessNeed>(new AccessNeed.Worker());

    public override string Describe() => "worker";
}

/// <summary>Any signed-in caller (their own tokens, who they are).</summary>
public sealed class SignedInAccessAttribute : AccessRuleAttribute
{
    public override ValueTask<AccessNeed> NeedAsync(HttpContext context) => ValueTask.FromResult<AccessNeed>(new AccessNeed.SignedIn());

    public override string Describe() => "signed in";
}

/// <summary>A global role that allows <see cref="Permission"/>.</summary>
public sealed class GlobalAccessAttribute(Permission permission) : AccessRuleAttribute
{
    public Permission Permission { get; } = permission;

    public override ValueTask<AccessNeed> NeedAsync(HttpContext context) => ValueTask.FromResult<AccessNeed>(new AccessNeed.Global(Permission));

    public override string Describe() => $"global {Permission}";
}

/// <summary>The endpoint lists only what the caller may see. Narrowed to one repository (<c>?repo=NAME</c>) it needs
/// read access there, so that anyone may list a public repository's runs without signing in; across repositories it
/// needs a signed-in caller.</summary>
public sealed class ListingAccessAttribute : AccessRuleAttribute
{
    public const string RepositoryParameter = "repo";

    public override ValueTask<AccessNeed> NeedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var repository = context.Request.Query[RepositoryParameter].ToString().Trim();
        return ValueTask.FromResult<AccessNeed>(
            repository.Length > 0 ? new AccessNeed.OnRepository(repository, Permission.ReadRuns) : new AccessNeed.Listing());
    }

    public override string Describe() => "listing";
}

/// <summary>A role on the repository the route names (one route value, or <c>owner</c> and <c>repo</c>).</summary>
public sealed class RepositoryAccessAttribute(Permission permission, params string[] routeValues) : AccessRuleAttribute
{
    public Permission Permission { get; } = permission;

    public override ValueTask<AccessNeed> NeedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parts = routeValues.Select(v => context.Request.RouteValues[v]?.ToString() ?? "").ToArray();
        return ValueTask.FromResult<AccessNeed>(new AccessNeed.OnRepository(string.Join('/', parts), Permission));
    }

    public override string Describe() => $"repository {Permission}";
}

/// <summary>A role on the repository of the run the route names; a run of no repository needs the global role.</summary>
public sealed class RunAccessAttribute(Permission permission, string routeValue = "id") : AccessRuleAttribute
{
    public Permission Permission { get; } = permission;

    public override async ValueTask<AccessNeed> NeedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!long.TryParse(context.Request.RouteValues[routeValue]?.ToString(), out var id))
        {
            return new AccessNeed.Global(Permission);
        }

        var run = await context.RequestServices.GetRequiredService<IRunStore>().GetRunAsync(id, context.RequestAborted);
        return run?.Repository is { } repository ? new AccessNeed.OnRepository(repository, Permission) : new AccessNeed.Global(Permission);
    }

    public override string Describe() => $"run {Permission}";
}

/// <summary>For the routes that take the rest of a path under <c>/repos/</c> (names of any depth): the permission
/// depends on what the path names and on the method.</summary>
internal sealed class RepositoryPathAccessAttribute(string routeValue, Func<string, RepositoryPath, Permission> permission) : AccessRuleAttribute
{
    public override ValueTask<AccessNeed> NeedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = RepositoryPath.Parse(context.Request.RouteValues[routeValue]?.ToString() ?? "");
        return ValueTask.FromResult<AccessNeed>(new AccessNeed.OnRepository(path.Repository, permission(context.Request.Method, path)));
    }

    public override string Describe() => "repository path";
}

/// <summary>Puts one access rule on an endpoint.</summary>
public static class AccessRuleExtensions
{
    public static TBuilder Open<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenAccessAttribute());

    public static TBuilder ForWorker<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new WorkerAccessAttribute());

    public static TBuilder ForSignedIn<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SignedInAccessAttribute());

    public static TBuilder ForGlobal<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new GlobalAccessAttribute(permission));

    public static TBuilder ForListing<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ListingAccessAttribute());

    public static TBuilder ForRepository<TBuilder>(this TBuilder builder, Permission permission, string routeValue = "name")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RepositoryAccessAttribute(permission, routeValue));

    public static TBuilder ForRepository<TBuilder>(this TBuilder builder, Permission permission, string owner, string repo)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RepositoryAccessAttribute(permission, owner, repo));

    public static TBuilder ForRunOf<TBuilder>(this TBuilder builder, Permission permission, string routeValue = "id")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RunAccessAttribute(permission, routeValue));

    internal static TBuilder ForRepositoryPath<TBuilder>(this TBuilder builder, Func<string, RepositoryPath, Permission> permission, string routeValue = "path")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RepositoryPathAccessAttribute(routeValue, permission));
}
