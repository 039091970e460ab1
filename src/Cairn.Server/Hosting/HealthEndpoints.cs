using Cairn.Core.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Hosting;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (and so does its store), open to anyone and left
/// out of the API description.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n")).ExcludeFromDescription().Open();
        endpoints.MapGet("/readyz", ReadyAsync).ExcludeFromDescription().Open();
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(IRunStore runs, CancellationToken cancellationToken)
    {
        try
        {
            await runs.GetRunAsync(0, cancellationToken);
            return Results.Text("ready\n");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Results.Text($"the store does not answer: {ex.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
