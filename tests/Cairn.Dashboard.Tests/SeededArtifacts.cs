using System.Formats.Tar;
using Cairn.Core.Artifacts;
using Cairn.Core.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Dashboard.Tests;

/// <summary>Artifacts kept for a job of a real run the way a worker keeps them: a tar handed to the server's own stash
/// (<see cref="IJobStashes"/>), which indexes it in the store and writes it to the blob store.</summary>
public sealed class SeededArtifacts(Func<IServiceProvider> services)
{
    /// <summary>Keeps <paramref name="files"/> as the artifacts of job <paramref name="jobId"/> of run <paramref name="runId"/>
    /// for 14 days.</summary>
    public async Task KeepAsync(long runId, long jobId, params (string Path, byte[] Bytes)[] files)
    {
        var provider = services();
        var store = provider.GetRequiredService<IRunStore>();
        var run = await store.GetRunAsync(runId, CancellationToken.None) ?? throw new InvalidOperationException($"no run {runId}");
        var job = await store.GetJobAsync(jobId, CancellationToken.None) ?? throw new InvalidOperationException($"no job {jobId}");
        var lease = new JobLease(jobId, runId, Guid.NewGuid(), "seed/1/1", 1, DateTimeOffset.UtcNow.AddHours(1), job);
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, bytes) in files)
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(bytes) }, CancellationToken.None);
            }
        }

        tar.Position = 0;
        await provider.GetRequiredService<IJobStashes>().For(lease, run).SaveArtifactsAsync(tar, TimeSpan.FromDays(14), CancellationToken.None);
    }
}
