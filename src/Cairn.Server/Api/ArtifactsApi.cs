using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Access;
using Cairn.Core.Artifacts;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Cairn.Server.Api;

/// <summary>A run's artifacts: the list per job, one folder's listing, one file (with <c>Range</c>), and a job's zip. Read
/// with the repository's read permission, as the run is; every file and zip sent is audited. Files are served inert:
/// <c>nosniff</c> and a sandboxing Content-Security-Policy, so an HTML artifact runs no script as the dashboard's origin.</summary>
internal static class ArtifactsApi
{
    /// <summary>The policy every artifact file is served under: a sandbox (no script, no forms, an opaque origin), nothing
    /// fetched but its own images and inline styles.</summary>
    public const string ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/runs/{id:long}/artifacts", ListAsync).WithName("ListArtifacts").ForRunOf(Permission.ReadRuns);
        api.MapGet("/runs/{id:long}/artifacts/{job}/files", FolderAsync).WithName("ListArtifactFolder").ForRunOf(Permission.ReadRuns);
        api.MapGet("/runs/{id:long}/artifacts/{job}/files/{**path}", FileAsync).WithName("GetArtifactFile").ForRunOf(Permission.ReadRuns);
        api.MapGet("/runs/{id:long}/artifacts/{job}.zip", ZipAsync).WithName("GetArtifactZip").ForRunOf(Permission.ReadRuns);
    }

    private static async Task<IResult> ListAsync(long id, string? job, IRunStore runs, ArtifactServing serving, CancellationToken cancellationToken)
    {
        if (await runs.GetRunAsync(id, cancellationToken) is null)
        {
            return Problems.NotFound($"there is no run {id}");
        }

        var views = new List<JobArtifactsView>();
        if (serving.Index is { } index)
        {
            foreach (var set in await index.ListArtifactSetsAsync(id, cancellationToken))
            {
                if (job is null || string.Equals(set.JobName, job, StringComparison.Ordinal))
                {
                    views.Add(ArtifactViews.Job(set, await index.ListArtifactFilesAsync(set.Id, "", ArtifactViews.MaxListedFiles + 1, cancellationToken)));
                }
            }
        }

        return TypedResults.Ok(new RunArtifactsView(id, views));
    }

    private static async Task<IResult> FolderAsync(long id, string job, string? path, ArtifactServing serving, CancellationToken cancellationToken)
    {
        if (ArtifactViews.Clean(path, folder: true) is not { } prefix)
        {
            return Problems.BadRequest($"path: '{path}' is not a folder of the job's artifacts (relative, / between names, no ..)");
        }

        if (await serving.FindSetAsync(id, job, cancellationToken) is not { } set)
        {
            return Problems.NotFound($"job '{job}' of run {id} kept no artifacts");
        }

        var files = await serving.Index!.ListArtifactFilesAsync(set.Id, prefix, ArtifactViews.MaxScannedFiles, cancellationToken);
        var entries = ArtifactViews.Level(prefix, files);
        return entries.Count == 0
            ? Problems.NotFound($"job '{job}' of run {id} kept nothing under '{prefix}'")
            : TypedResults.Ok(new ArtifactDirectoryView(set.JobName, prefix, entries));
    }

    private static async Task<IResult> FileAsync(
        long id, string job, string path, string? download, Caller caller, ArtifactServing serving, AuditTrail audit, HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        if (ArtifactViews.Clean(path, folder: false) is not { } clean)
        {
            return Problems.NotFound($"'{path}' is not a file of the job's artifacts");
        }

        if (await serving.FindSetAsync(id, job, cancellationToken) is not { } set
            || await serving.Index!.GetArtifactFileAsync(set.Id, clean, cancellationToken) is not { } file || ArtifactViews.IsFolder(file))
        {
            return Problems.NotFound($"job '{job}' of run {id} kept no file '{clean}'");
        }

        if (file.LinkTarget is { } target)
        {
            return Problems.NotFound($"'{clean}' is a symbolic link to '{target}', which is not followed");
        }

        var response = context.Response;
        SetInert(response);
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = ETag(set, clean);
        var name = clean[(clean.LastIndexOf('/') + 1)..];
        var disposition = download is "1" or "true" ? "attachment" : "inline";
        response.Headers.ContentDisposition = $"{disposition}; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        var range = ArtifactRange.Parse(context.Request.Headers.Range, file.Size);
        if (range is { IsUnsatisfiable: true })
        {
            response.Headers.ContentRange = $"bytes */{file.Size}";
            return Results.Problem(
                $"'{clean}' has {file.Size} bytes: the range asked for lies outside it", statusCode: StatusCodes.Status416RangeNotSatisfiable,
                title: "Range not satisfiable");
        }

        var (start, length) = range is { } r ? (r.Start, r.Length) : (0L, file.Size);
        var content = await serving.Blobs!.OpenReadAsync(set.Blob, file.Offset + start, length, cancellationToken);
        if (content is null)
        {
            return Problems.NotFound($"the artifacts of job '{job}' of run {id} are gone from {serving.Blobs.Description}");
        }

        await using (content)
        {
            await audit.RecordAsync(caller, Entry(set, clean), cancellationToken);
            response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
            if (range is { } partial)
            {
                response.Headers.ContentRange = partial.ContentRange(file.Size);
            }

            response.ContentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
            response.ContentLength = length;
            await content.CopyToAsync(response.Body, 81920, cancellationToken);
        }

        return Results.Empty;
    }

    private static async Task<IResult> ZipAsync(long id, string job, Caller caller, ArtifactServing serving, AuditTrail audit, HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        if (await serving.FindSetAsync(id, job, cancellationToken) is not { } set)
        {
            return Problems.NotFound($"job '{job}' of run {id} kept no artifacts");
        }

        var files = await serving.Index!.ListArtifactFilesAsync(set.Id, "", int.MaxValue, cancellationToken);
        await audit.RecordAsync(caller, Entry(set, "*"), cancellationToken);
        var response = context.Response;
        SetInert(response);
        response.ContentType = "application/zip";
        response.Headers.ContentDisposition = $"attachment; filename=\"{ZipName(id, set.JobName)}\"";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await ArtifactZip.WriteAsync(response.Body, set, files, serving.Blobs!, cancellationToken);
        return Results.Empty;
    }

    /// <summary><c>nosniff</c> and the sandbox: on every answer that carries an artifact's bytes.</summary>
    private static void SetInert(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
    }

    private static NewAuditEntry Entry(ArtifactSetRecord set, string path) =>
        new(default, set.RunId, set.JobId, set.Repository, null, AuditActions.ArtifactDownload, Detail: $"job {set.JobName}") { Target = path };

    private static string ETag(ArtifactSetRecord set, string path) =>
        new EntityTagHeaderValue($"\"{set.Id}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path)))[..16]}\"").ToString();

    /// <summary><c>RUN-JOB.zip</c>, with anything but letters, digits, <c>.</c>, <c>_</c> and <c>-</c> of the job's name
    /// made <c>_</c> so the header needs no quoting rules.</summary>
    internal static string ZipName(long runId, string job) =>
        $"{runId}-{new string([.. job.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')])}.zip";
}
