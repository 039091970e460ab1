using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Hosting;

/// <summary><c>/runs/{id}</c>, where commit statuses link. Until there is a dashboard (behind a login) the page says how
/// to see the run, and nothing about it: the link is public, the run may not be.</summary>
internal static class RunPageEndpoint
{
    public static IEndpointRouteBuilder MapRunPage(this IEndpointRouteBuilder endpoints, ServerSettings settings)
    {
        endpoints.MapGet("/runs/{id:long}", (long id) => Results.Text(
            $"Cairn run {id}.\nSee it with: cairn show {id} --server {settings.PublicUrl.ToString().TrimEnd('/')}\n"))
            .ExcludeFromDescription();
        return endpoints;
    }
}
