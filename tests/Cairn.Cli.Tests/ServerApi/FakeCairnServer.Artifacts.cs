using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>The fake's artifacts API: what each job of a run kept (path → bytes), listed, one file, or a job's zip, with
/// the shapes and problems the real server answers.</summary>
internal sealed partial class FakeCairnServer
{
    private readonly Dictionary<(long Run, string Job), SortedDictionary<string, byte[]>> _artifacts = [];

    /// <summary>A zip answered for a job in place of the one its files make (a crafted, hostile one).</summary>
    public Dictionary<(long Run, string Job), byte[]> ZipOverrides { get; } = [];

    public DateTimeOffset ArtifactsExpireAt { get; set; } = DateTimeOffset.UtcNow.AddDays(14).AddMinutes(1);

    public void AddArtifacts(long run, string job, params (string Path, string Text)[] files)
    {
        lock (_gate)
        {
            _artifacts[(run, job)] = new SortedDictionary<string, byte[]>(
                files.ToDictionary(f => f.Path, f => System.Text.Encoding.UTF8.GetBytes(f.Text)), StringComparer.Ordinal);
        }
    }

    private void MapArtifacts(RouteGroupBuilder api)
    {
        api.MapGet("/runs/{id:long}/artifacts", (long id, string? job) => ListArtifacts(id, job));
        api.MapGet("/runs/{id:long}/artifacts/{job}/files/{**path}", (long id, string job, string path) => ArtifactFile(id, job, path));
        api.MapGet("/runs/{id:long}/artifacts/{zip}", (long id, string zip) => ArtifactZip(id, zip));
    }

    private IResult ListArtifacts(long id, string? job)
    {
        lock (_gate)
        {
            if (!_runs.ContainsKey(id))
            {
                return NotFound($"there is no run {id}");
            }

            var jobs = _artifacts.Where(a => a.Key.Run == id && (job is null || a.Key.Job == job)).Select((a, i) => new
            {
                job = a.Key.Job,
                jobId = 100 + i,
                attempt = 1,
                fileCount = a.Value.Count,
                bytes = a.Value.Values.Sum(v => (long)v.Length),
                createdAt = ArtifactsExpireAt.AddDays(-14),
                expiresAt = ArtifactsExpireAt,
                files = a.Value.Take(2).Select(f => new { path = f.Key, size = f.Value.Length }).ToList(),
                truncated = a.Value.Count > 2,
            }).ToList();
            return Results.Json(new { runId = id, artifacts = jobs }, Json);
        }
    }

    private IResult ArtifactFile(long id, string job, string path)
    {
        lock (_gate)
        {
            return _artifacts.TryGetValue((id, job), out var files) && files.TryGetValue(path, out var bytes)
                ? Results.Bytes(bytes, "application/octet-stream")
                : NotFound($"job {job} of run {id} kept no file {path}");
        }
    }

    private IResult ArtifactZip(long id, string zip)
    {
        if (!zip.EndsWith(".zip", StringComparison.Ordinal))
        {
            return NotFound("no such route");
        }

        var job = zip[..^4];
        lock (_gate)
        {
            if (ZipOverrides.TryGetValue((id, job), out var crafted))
            {
                return Results.Bytes(crafted, "application/zip");
            }

            if (!_artifacts.TryGetValue((id, job), out var files))
            {
                return NotFound($"job {job} of run {id} kept no artifacts");
            }

            return Results.Bytes(MakeZip(files.Select(f => (f.Key, f.Value))), "application/zip");
        }
    }

    /// <summary>A zip of the entries as named: nothing checked, so a test can name one that leaves its folder.</summary>
    public static byte[] MakeZip(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }

        return buffer.ToArray();
    }
}
