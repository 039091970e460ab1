using System.Security.Cryptography;
using Cairn.Core.Pipelines;

namespace Cairn.Core.Artifacts;

/// <summary>What <c>hashFiles(globs…)</c> answers: one SHA-256 over the contents of the files of a folder that match,
/// the same on every machine that has the same files (no times, no absolute paths, no file-system order).</summary>
public static class FileHashes
{
    /// <summary>The hash of the regular files under <paramref name="directory"/> whose <c>/</c>-separated relative path
    /// matches any of <paramref name="patterns"/> (<see cref="Glob"/>; the last matching pattern decides, so
    /// <c>!</c> excludes): the lowercase hex SHA-256 of their SHA-256 digests in ordinal path order; "" when none match.
    /// Symbolic links are not followed (neither to files nor into folders), and <c>.git/</c> is skipped.</summary>
    public static async Task<string> ComputeAsync(string directory, IReadOnlyList<string> patterns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(patterns);
        var matches = Glob.Compile(patterns);
        var root = new DirectoryInfo(directory);
        var files = Files(root, "")
            .Where(f => matches(f.Path))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            return "";
        }

        var digests = new List<byte[]>(files.Count);
        foreach (var (_, file) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = new FileStream(file.FullName, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 81920,
            });
            await using (stream.ConfigureAwait(false))
            {
                digests.Add(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            }
        }

        return Combine(digests);
    }

    /// <summary>The lowercase hex SHA-256 of the digests one after the other; "" when there are none.</summary>
    public static string Combine(IEnumerable<byte[]> digestsInPathOrder)
    {
        ArgumentNullException.ThrowIfNull(digestsInPathOrder);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var any = false;
        foreach (var digest in digestsInPathOrder)
        {
            hash.AppendData(digest);
            any = true;
        }

        return any ? Convert.ToHexStringLower(hash.GetHashAndReset()) : "";
    }

    // Links are neither followed nor hashed: a link could point out of the workspace, and where it points differs
    // between machines.
    private static IEnumerable<(string Path, FileInfo File)> Files(DirectoryInfo directory, string prefix)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null || (entry.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                continue;
            }

            var path = prefix + entry.Name;
            if (entry is DirectoryInfo folder)
            {
                if (entry.Name == ".git")
                {
                    continue;
                }

                foreach (var file in Files(folder, path + "/"))
                {
                    yield return file;
                }
            }
            else if (entry is FileInfo file)
            {
                yield return (path, file);
            }
        }
    }
}
