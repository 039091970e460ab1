using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Git;

/// <summary>Each job attempt in its own worktree of the run's repository mirror, checked out at the run's commit
/// (fetched first when a <paramref name="locator"/> says from where), under <paramref name="root"/>, and removed when
/// the attempt ends. A run without a repository (a local one) gets an empty scratch directory instead.</summary>
public sealed class GitWorktreeWorkspaceProvider(GitMirror mirror, string root, IRepositoryLocator? locator = null, ILogger? logger = null)
    : IWorkspaceProvider
{
    private readonly GitCheckouts _checkouts = new(mirror);
    private readonly ScratchWorkspaceProvider _scratch = new(root);
    private readonly ConcurrentDictionary<string, string> _worktrees = new(StringComparer.Ordinal);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Each attempt gets a repository of its own holding just the commit, instead of a worktree that needs
    /// the mirror: what a server does, whose mirrors its steps may not read.</summary>
    public bool Standalone { get; init; }

    public async Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(run);
        if (run.Repository is not { Length: > 0 } repository)
        {
            return await _scratch.PrepareAsync(job, run, cancellationToken);
        }

        // A standalone checkout finds out by itself whether the mirror holds the commit; nearly always the run's planning
        // fetched it, so the mirror is asked (and fetched into) only when the checkout says it is not there.
        var fromPlanning = Standalone && run.Sha is { Length: > 0 };
        var sha = fromPlanning ? run.Sha! : await CommitAsync(run, repository, cancellationToken);

        // Two attempts of one job may briefly overlap (a lost worker's steps still being killed): never share a directory.
        var directory = Path.Combine(
            Path.GetFullPath(root),
            string.Create(CultureInfo.InvariantCulture, $"job-{job.Id}-{job.Attempt}-{Guid.NewGuid().ToString("N")[..8]}"));
        Directory.CreateDirectory(root);
        if (Standalone)
        {
            try
            {
                try
                {
                    await _checkouts.CheckOutAsync(repository, sha, directory, cancellationToken);
                }
                catch (GitException) when (fromPlanning && locator is not null)
                {
                    // Not in this mirror yet (another replica planned the run, say): fetch it, and check out once more.
                    DeleteQuietly(directory);
                    await CommitAsync(run, repository, cancellationToken);
                    await _checkouts.CheckOutAsync(repository, sha, directory, cancellationToken);
                }
            }
            catch
            {
                DeleteQuietly(directory);
                throw;
            }

            _worktrees[directory] = StandaloneMark;
            return directory;
        }

        await _checkouts.AddWorktreeAsync(repository, sha, directory, cancellationToken);
        _worktrees[directory] = repository;
        return directory;
    }

    public async Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken)
    {
        if (!_worktrees.TryRemove(workspace, out var repository))
        {
            await _scratch.ReleaseAsync(job, workspace, cancellationToken);
            return;
        }

        if (ReferenceEquals(repository, StandaloneMark))
        {
            DeleteQuietly(workspace);
            return;
        }

        try
        {
            await _checkouts.RemoveWorktreeAsync(repository, workspace, cancellationToken);
        }
        catch (Exception ex) when (ex is GitException or IOException or OperationCanceledException)
        {
            // The job's outcome stands; a worktree left behind is pruned the next time one of this mirror is removed.
            _logger.LogWarning("could not remove the worktree {Workspace} of {Repository}: {Reason}", workspace, repository, ex.Message);
        }
    }

    private const string StandaloneMark = "\0standalone";

    private void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("could not remove the workspace {Workspace}: {Reason}", directory, ex.Message);
        }
    }

    private async Task<string> CommitAsync(RunRecord run, string repository, CancellationToken cancellationToken)
    {
        var remote = locator is null ? null
            : await locator.LocateAsync(repository, cancellationToken)
                ?? throw new GitException($"repository {repository} is not known here, so its commits cannot be fetched");

        if (run.Sha is not { Length: > 0 } sha)
        {
            return remote is not null && run.Ref is { Length: > 0 } gitRef
                ? await mirror.ResolveRefAsync(repository, remote.CloneUrl, remote.Token, gitRef, cancellationToken)
                : throw new GitException($"run {run.Id} of {repository} names no commit to check out");
        }

        if (remote is not null)
        {
            await mirror.EnsureCommitAsync(repository, remote.CloneUrl, remote.Token, sha, run.Ref, cancellationToken);
        }
        else if (!await mirror.HasCommitAsync(repository, sha, cancellationToken))
        {
            throw new GitException($"commit {GitNames.Short(sha)} of {repository} has not been fetched");
        }

        return sha;
    }
}
