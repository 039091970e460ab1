using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Cairn.Core.Runs;
using Cairn.Git;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Workers;

/// <summary>Serves a run's source to the worker that holds its lease, over git's smart HTTP protocol, fetch only:
/// <c>GET /git/REPO.git/info/refs?service=git-upload-pack</c> and <c>POST /git/REPO.git/git-upload-pack</c>, from the
/// repository's mirror. The bearer of a lease's source token (<see cref="SourceTokens"/>, as <c>Authorization: Bearer</c>
/// or as the password of Basic) may fetch the run's repository while the lease lives; anyone else gets the same 401
/// whether or not the repository exists. Pushing, and anything else, is 403.</summary>
internal static class GitSourceEndpoint
{
    private const string Service = "git-upload-pack";
    private const string InfoRefs = ".git/info/refs";
    private const string UploadPack = ".git/" + Service;

    public static void Map(IEndpointRouteBuilder app)
    {
        // Open in the gate: these routes check their own token, a lease's source token, which makes no caller.
        app.MapMethods("/git/{**path}", [HttpMethods.Get, HttpMethods.Post], ServeAsync).Open().ExcludeFromDescription();
    }

    private static async Task ServeAsync(HttpContext context, string path)
    {
        var request = context.Request;
        var advertise = HttpMethods.IsGet(request.Method) && path.EndsWith(InfoRefs, StringComparison.Ordinal)
            && request.Query["service"] == Service;
        var pack = HttpMethods.IsPost(request.Method) && path.EndsWith(UploadPack, StringComparison.Ordinal);
        if (!advertise && !pack)
        {
            await Results.Problem("this server's git serves fetches of a run's source only", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
                .ExecuteAsync(context);
            return;
        }

        var repository = path[..^(advertise ? InfoRefs : UploadPack).Length];
        var services = context.RequestServices;
        var run = await AuthorizedRunAsync(services, Presented(request), repository, context.RequestAborted);
        if (run?.Repository is not { } name)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"cairn\"";
            await Results.Problem(
                "send the lease's source token: 'Authorization: Bearer <token>'; it is good for the run's repository while its lease lives",
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized").ExecuteAsync(context);
            return;
        }

        var mirrors = services.GetRequiredService<GitMirror>();
        var mirror = mirrors.PathOf(name);
        if (!File.Exists(Path.Combine(mirror, "HEAD")))
        {
            await Results.Problem($"the mirror of {name} is not there yet", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        var protocol = request.Headers["Git-Protocol"].ToString();
        protocol = protocol.Length is > 0 and <= 256 && protocol.All(c => char.IsAsciiLetterOrDigit(c) || c is '=' or ':' or '.' or '_' or '-')
            ? protocol
            : null;
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        response.ContentType = $"application/x-{Service}-{(advertise ? "advertisement" : "result")}";
        var home = Path.Combine(mirrors.Root, ".home");
        if (advertise)
        {
            if (protocol?.Contains("version=2", StringComparison.Ordinal) != true)
            {
                await response.Body.WriteAsync(Encoding.ASCII.GetBytes($"001e# service={Service}\n0000"), context.RequestAborted);
            }

            await GitSourceProcess.RunAsync(mirror, home, advertise: true, protocol, null, response, context.RequestAborted);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = GitSourceProcess.MaxRequestBytes;
        }

        var gzip = string.Equals(request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase);
        await using var body = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
        await GitSourceProcess.RunAsync(mirror, home, advertise: false, protocol, body ?? request.Body, response, context.RequestAborted);
    }

    /// <summary>The run whose source the token opens, when it names <paramref name="repository"/> and its lease lives.</summary>
    private static async Task<RunRecord?> AuthorizedRunAsync(IServiceProvider services, string? presented, string repository, CancellationToken cancellationToken)
    {
        if (presented is null || repository.Length == 0 || services.GetRequiredService<SourceTokens>().Verify(presented, repository) is not { } leaseId)
        {
            return null;
        }

        if (await services.GetRequiredService<ILeaseRecords>().GetLeaseAsync(leaseId, cancellationToken) is not { Running: true } lease)
        {
            return null;
        }

        var run = await services.GetRequiredService<IRunStore>().GetRunAsync(lease.RunId, cancellationToken);
        return string.Equals(run?.Repository, repository, StringComparison.OrdinalIgnoreCase) ? run : null;
    }

    /// <summary>The token as git sends it: <c>Bearer</c> (http.extraHeader), or the password of <c>Basic</c>.</summary>
    private static string? Presented(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) || header.Parameter is not { } value)
        {
            return null;
        }

        if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return value.Trim();
        }

        if (!string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? pair[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
