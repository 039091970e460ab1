namespace Cairn.Core.Execution;

/// <summary>Files in and out of a job's environment as tar streams: how artifacts and caches reach a job. An
/// <see cref="IJobEnvironment"/> that can move files implements it; <see cref="StepSequencer"/> uses it after
/// <see cref="IJobEnvironment.PrepareAsync"/> succeeded and before <see cref="IJobEnvironment.TearDownAsync"/>. What is
/// matched, refused and logged is decided in Core (<c>Artifacts/</c>), not here.</summary>
public interface IEnvironmentFiles
{
    /// <summary>The workspace's absolute path inside the environment (what <c>CAIRN_WORKSPACE</c> says).</summary>
    string WorkspacePath { get; }

    /// <summary>The steps' home directory inside the environment: where a cache path written <c>~/…</c> lives. Known once
    /// the environment is prepared.</summary>
    string HomePath { get; }

    /// <summary>Extracts <paramref name="tar"/> (relative entry names, checked by the caller) under
    /// <paramref name="directory"/>, an absolute path inside the environment, making it and the folders on the way as
    /// the steps' user; files already there are replaced.</summary>
    Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken);

    /// <summary>Writes to <paramref name="destination"/> a tar of what lies under <paramref name="directory"/> (absolute,
    /// inside the environment) at each of <paramref name="subpaths"/> (relative, <c>/</c>-separated; <c>""</c> for the
    /// whole directory), entries named relative to <paramref name="directory"/>: regular files, folders and symbolic
    /// links as links, never followed. A subpath that does not exist is left out. Does not close <paramref name="destination"/>.</summary>
    Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken);
}
