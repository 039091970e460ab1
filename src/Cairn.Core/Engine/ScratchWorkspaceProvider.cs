using System.Globalization;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Each job attempt in a fresh, empty directory under <paramref name="root"/>, removed when it ends.</summary>
public sealed class ScratchWorkspaceProvider(string root) : IWorkspaceProvider
{
    public Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);

        // Two attempts of one job may briefly overlap (a lost worker's steps still being killed): never share a directory.
        var name = string.Create(CultureInfo.InvariantCulture, $"job-{job.Id}-{job.Attempt}-{Guid.NewGuid().ToString("N")[..8]}");
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        return Task.FromResult(path);
    }

    public Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken)
    {
        try
        {
            Directory.Delete(workspace, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open, or read-only trees some tools leave; the directory is only clutter now.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }
}
