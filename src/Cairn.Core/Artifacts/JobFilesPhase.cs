using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines;
using Cairn.Core.Runs;

namespace Cairn.Core.Artifacts;

/// <summary>What a job brings in before its first step and keeps after its last: the artifacts of the jobs it needs, its
/// caches, and its own artifacts. Every line it logs starts with <c>artifacts:</c> or <c>cache:</c>. Only what the
/// job needs to be right (the artifacts it needs, the artifacts it must keep) can fail it; a cache never does.</summary>
public sealed class JobFilesPhase(JobSpec job, JobFiles files, IEnvironmentFiles environment, Action<string> log)
{
    private readonly List<(CacheRule Rule, string Key, CacheHit? Hit)> _caches = [];

    /// <summary>Restores the needed jobs' artifacts into the workspace, then the caches. Answers null, or why the job
    /// cannot start (an artifact set it needs could not be restored: <c>infra</c>).</summary>
    public async Task<string?> RestoreAsync(CancellationToken cancellationToken)
    {
        if (files.Needs.Count > 0 && await RestoreArtifactsAsync(cancellationToken) is { } failure)
        {
            return failure;
        }

        foreach (var rule in files.Caches)
        {
            await RestoreCacheAsync(rule, cancellationToken);
        }

        return null;
    }

    /// <summary>Keeps the job's artifacts as its <c>when</c> says and saves its caches after a success; answers the job's
    /// outcome, failed when artifacts it had to keep could not be kept.</summary>
    public async Task<JobOutcome> KeepAsync(JobOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status == JobStatus.Cancelled)
        {
            if (files.Artifacts is not null)
            {
                log("artifacts: not kept: the job was cancelled");
            }

            return outcome;
        }

        if (files.Artifacts is { } rule)
        {
            outcome = await KeepArtifactsAsync(rule, outcome, cancellationToken);
        }

        if (outcome.Status == JobStatus.Succeeded)
        {
            foreach (var (cache, key, hit) in _caches)
            {
                await SaveCacheAsync(cache, key, hit, cancellationToken);
            }
        }
        else if (_caches.Count > 0)
        {
            log("cache: nothing saved: the job did not succeed");
        }

        return outcome;
    }

    private async Task<string?> RestoreArtifactsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ArtifactSet> sets;
        try
        {
            sets = files.Needed ?? await files.Stash.ListNeededAsync(files.Needs, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return $"the artifacts of the jobs it needs could not be listed: {ex.Message}";
        }

        foreach (var set in sets)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var tar = await files.Stash.OpenArtifactsAsync(set, cancellationToken);
                await ExtractAsync(tar, environment.WorkspacePath, "", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                return $"the artifacts of '{set.JobName}' could not be restored: {ex.Message}";
            }

            log($"artifacts: restored {Count(set.Files, "file")} ({ByteSize.Approximate(set.Bytes)}) of '{set.JobName}' in {Took(started)}");
        }

        return null;
    }

    private async Task RestoreCacheAsync(CacheRule rule, CancellationToken cancellationToken)
    {
        string key;
        var restoreKeys = new List<string>();
        try
        {
            key = await ExpandAsync(rule.Key, cancellationToken);
            foreach (var restoreKey in rule.RestoreKeys)
            {
                restoreKeys.Add(await ExpandAsync(restoreKey, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or IOException)
        {
            log($"cache: skipped: its key '{rule.Key}' could not be worked out: {ex.Message}");
            return;
        }

        var started = Stopwatch.GetTimestamp();
        CacheHit? hit = null;
        try
        {
            hit = await files.Stash.FindCacheAsync(key, restoreKeys, cancellationToken);
            if (hit is null)
            {
                var also = restoreKeys.Count == 0 ? "" : $" or start with {string.Join(", ", restoreKeys.Select(k => $"'{k}'"))}";
                log($"cache: nothing matched '{key}'{also}");
            }
            else
            {
                foreach (var root in Roots(rule))
                {
                    await using var tar = await files.Stash.OpenCacheAsync(hit, cancellationToken);
                    await ExtractAsync(tar, RootPath(root), RootPrefix(root), cancellationToken);
                }

                var how = hit.Exact ? "" : $" (its key starts with a restore key; '{key}' is saved after the job)";
                log($"cache: restored '{hit.Key}' ({ByteSize.Approximate(hit.Bytes)}) in {Took(started)}{how}");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            log($"cache: '{key}' was not restored: {ex.Message}");
            hit = null;
        }

        _caches.Add((rule, key, hit));
    }

    private async Task<JobOutcome> KeepArtifactsAsync(ArtifactRule rule, JobOutcome outcome, CancellationToken cancellationToken)
    {
        var succeeded = outcome.Status == JobStatus.Succeeded;
        var wanted = rule.When switch
        {
            ArtifactWhen.Always => true,
            ArtifactWhen.OnFailure => !succeeded,
            _ => succeeded,
        };
        if (!wanted)
        {
            log($"artifacts: not kept: the job {(succeeded ? "succeeded" : "failed")} and they are kept {rule.When.ToWire()}");
            return outcome;
        }

        var take = Glob.Compile(rule.Paths);
        var filter = new TarFilter(take, folders: false);
        try
        {
            var summary = await TarStreams.PipeAsync(
                (stream, ct) => WriteTarAsync(stream, filter, [(environment.WorkspacePath, ArtifactEntries.Roots(rule.Paths), "")], ct),
                (stream, ct) => files.Stash.SaveArtifactsAsync(stream, rule.ExpireIn, ct),
                cancellationToken);
            var until = summary.Where ?? $"until {summary.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";
            log($"artifacts: kept {Count(summary.Files, "file")} ({ByteSize.Approximate(summary.Bytes)}) {until}");
            return outcome;
        }
        catch (NothingToKeepException)
        {
            log($"artifacts: nothing matched {string.Join(", ", rule.Paths)}");
            return outcome;
        }
        catch (ArtifactRefusedException ex)
        {
            return Failed(outcome, FailureClass.Config, $"artifacts not kept: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return Failed(outcome, FailureClass.Infra, $"artifacts not kept: {ex.Message}");
        }
    }

    private async Task SaveCacheAsync(CacheRule rule, string key, CacheHit? hit, CancellationToken cancellationToken)
    {
        if (hit is { Exact: true })
        {
            log($"cache: '{key}' was restored as it is; nothing to save");
            return;
        }

        if (files.Stash.SaveScope is null)
        {
            log($"cache: '{key}' not saved: runs of pull requests from forks read caches but never save them");
            return;
        }

        var paths = rule.Paths.Select(p => ArtifactEntries.CachePath(p, out _)).OfType<(CacheRoot Root, string Path)>().ToList();
        var take = (string name) => paths.Any(p => name == p.Path || name.StartsWith(p.Path + "/", StringComparison.Ordinal));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var sources = Roots(rule)
                .Select(root => (RootPath(root), (IReadOnlyList<string>)[.. paths.Where(p => p.Root == root).Select(p => p.Path)], RootPrefix(root)))
                .ToList();
            var saved = await TarStreams.PipeAsync(
                (stream, ct) => WriteTarAsync(stream, new TarFilter(take, folders: true), sources, ct),
                (stream, ct) => files.Stash.SaveCacheAsync(key, stream, ct),
                cancellationToken);
            log(saved is null
                ? $"cache: '{key}' not saved: another job saved it first"
                : $"cache: saved '{key}' ({ByteSize.Approximate(saved.Bytes)}) in {Took(started)}");
        }
        catch (NothingToKeepException)
        {
            log($"cache: '{key}' not saved: nothing is at {string.Join(", ", rule.Paths)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            log($"cache: '{key}' not saved: {ex.Message}");
        }
    }

    /// <summary>Writes one tar of what the filter keeps from each source (a folder of the environment, the subpaths under
    /// it, the prefix its entries get). Nothing kept at all throws <see cref="NothingToKeepException"/>, so that no empty
    /// set or cache is stored.</summary>
    private async Task WriteTarAsync(
        Stream destination, TarFilter filter, IReadOnlyList<(string Folder, IReadOnlyList<string> Subpaths, string Prefix)> sources, CancellationToken cancellationToken)
    {
        await using (var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (folder, subpaths, prefix) in sources)
            {
                await TarStreams.PipeAsync(
                    (stream, ct) => environment.ArchiveAsync(folder, subpaths, stream, ct),
                    async (stream, ct) =>
                    {
                        await filter.CopyAsync(stream, writer, "", prefix, line => log($"{(prefix.Length == 0 ? "artifacts" : "cache")}: {line}"), ct);
                        return 0;
                    },
                    cancellationToken);
            }

            if (filter.Files == 0)
            {
                throw new NothingToKeepException();
            }
        }
    }

    private async Task ExtractAsync(Stream tar, string folder, string strip, CancellationToken cancellationToken) =>
        await TarStreams.PipeAsync(
            async (stream, ct) =>
            {
                await using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                await new TarFilter(_ => true, folders: true).CopyAsync(tar, writer, strip, "", line => log($"{(strip.Length == 0 ? "artifacts" : "cache")}: {line}"), ct);
            },
            async (stream, ct) =>
            {
                await environment.ExtractAsync(folder, stream, ct);
                return 0;
            },
            cancellationToken);

    private Task<string> ExpandAsync(string template, CancellationToken cancellationToken) =>
        CacheKeys.ExpandAsync(template, job.Context, HashFilesAsync, cancellationToken);

    /// <summary><c>hashFiles(…)</c> over the workspace as the environment has it, read through the environment's own tar
    /// so that it is the same on a host, in a container and in a pod: what <see cref="FileHashes"/> computes of a folder.</summary>
    private async Task<string> HashFilesAsync(IReadOnlyList<string> patterns, CancellationToken cancellationToken)
    {
        var take = Glob.Compile(patterns);
        var digests = await TarStreams.PipeAsync(
            (stream, ct) => environment.ArchiveAsync(environment.WorkspacePath, ArtifactEntries.Roots(patterns), stream, ct),
            async (stream, ct) =>
            {
                var found = new List<(string Path, byte[] Digest)>();
                var counted = new CountingStream(stream, null, long.MaxValue, () => new InvalidOperationException());
                await using var reader = new TarReader(counted, leaveOpen: true);
                while (await TarFilter.NextAsync(reader, counted, ct) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                        && ArtifactEntries.Normalize(entry.Name, out _) is { } name
                        && !name.Split('/').Contains(".git", StringComparer.Ordinal)
                        && take(name))
                    {
                        found.Add((name, await SHA256.HashDataAsync(entry.DataStream ?? Stream.Null, ct)));
                    }
                }

                return found;
            },
            cancellationToken);
        return FileHashes.Combine(digests.OrderBy(d => d.Path, StringComparer.Ordinal).Select(d => d.Digest));
    }

    private static IEnumerable<CacheRoot> Roots(CacheRule rule) =>
        rule.Paths.Select(p => ArtifactEntries.CachePath(p, out _)?.Root).OfType<CacheRoot>().Distinct().Order();

    private string RootPath(CacheRoot root) => root == CacheRoot.Home ? environment.HomePath : environment.WorkspacePath;

    private static string RootPrefix(CacheRoot root) => root == CacheRoot.Home ? "home/" : "workspace/";

    private JobOutcome Failed(JobOutcome outcome, FailureClass failureClass, string detail)
    {
        log($"error: {detail}");
        return outcome.Status == JobStatus.Succeeded
            ? outcome with { Status = JobStatus.Failed, FailureClass = failureClass, Detail = detail }
            : outcome with { Detail = outcome.Detail is null ? detail : $"{outcome.Detail}; {detail}" };
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Took(long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed.TotalSeconds < 1)
        {
            return elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
        }

        return elapsed.TotalSeconds < 10
            ? elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
    }

    /// <summary>Nothing matched: no set or cache is stored.</summary>
    private sealed class NothingToKeepException : Exception
    {
        public NothingToKeepException()
            : base("nothing matched")
        {
        }
    }
}
