using System.IO.Compression;

namespace Cairn.Cli.Commands;

/// <summary>A folder that artifacts are written into: every path is checked to stay inside it (no <c>..</c>, no absolute
/// path, no symbolic link on the way) before a byte is written, and a zip is refused whole when any one of its entries
/// would leave it.</summary>
internal sealed class ArtifactFolder
{
    private const int Buffer = 81920;
    private readonly string _root;

    public ArtifactFolder(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
    }

    public string Root => _root;

    /// <summary>A job's folder name: its name with what a path would read as a separator replaced.</summary>
    public static string JobFolder(string job) =>
        job is "." or ".." || job.Length == 0 ? "_" : job.Replace('/', '_').Replace('\\', '_').Replace('\0', '_');

    /// <summary>The full path of <paramref name="relative"/> (<c>/</c>-separated) under the folder; null when it would
    /// leave it.</summary>
    public string? Inside(string relative)
    {
        if (relative.Length == 0 || relative[0] == '/' || relative.Contains('\\', StringComparison.Ordinal) ||
            relative.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }

        if (relative.TrimEnd('/').Split('/').Any(s => s is "" or "." or ".."))
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(_root, relative));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>Streams one file into <paramref name="relative"/>: written beside it first, then moved in place.</summary>
    public async Task<long> WriteFileAsync(string relative, Func<Stream, Task> download, CancellationToken cancellationToken)
    {
        var full = Inside(relative) ?? throw new ArtifactPathException($"the file {relative} would be written outside {_root}: nothing was written");
        PrepareParents(full);
        var partial = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.part");
        try
        {
            long length;
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, Buffer, FileOptions.Asynchronous))
            {
                await download(output);
                length = output.Length;
            }

            File.Move(partial, full, overwrite: true);
            return length;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Downloads a zip (through <paramref name="download"/>) to a temporary file in the folder, then extracts the
    /// entries equal to or under <paramref name="prefix"/> (all when null). Answers the files and bytes written.</summary>
    public async Task<(int Files, long Bytes)> ExtractZipAsync(
        Func<Stream, Task> download, string? prefix, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        await using var zip = new FileStream(
            Path.Combine(_root, $".cairn-{Guid.NewGuid():N}.zip.part"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, Buffer,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await download(zip);
        zip.Position = 0;
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        var wanted = new List<(ZipArchiveEntry Entry, string Full)>();
        foreach (var entry in archive.Entries)
        {
            var full = Inside(entry.FullName) ?? throw new ArtifactPathException(
                $"the zip has an entry that leaves the folder it is extracted into ({Printable(entry.FullName)}): nothing was extracted");
            var name = entry.FullName.TrimEnd('/');
            if (prefix is null || name == prefix || name.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                wanted.Add((entry, full));
            }
        }

        var (files, bytes) = (0, 0L);
        foreach (var (entry, full) in wanted)
        {
            if (entry.FullName.EndsWith('/'))
            {
                PrepareParents(Path.Combine(full, "."));
                continue;
            }

            PrepareParents(full);
            await using (var input = await entry.OpenAsync(cancellationToken))
            await using (var output = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, Buffer, FileOptions.Asynchronous))
            {
                await input.CopyToAsync(output, cancellationToken);
                bytes += output.Length;
            }

            KeepExecutable(entry, full);
            files++;
        }

        return (files, bytes);
    }

    /// <summary>Makes the folders above <paramref name="full"/> and refuses a symbolic link on the way (one that a
    /// write would follow out of the folder); a link where the file goes is removed, not written through.</summary>
    private void PrepareParents(string full)
    {
        var current = _root;
        var parts = Path.GetRelativePath(_root, full).Split(Path.DirectorySeparatorChar);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == ".")
            {
                continue;
            }

            current = Path.Combine(current, parts[i]);
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if (info.LinkTarget is not null)
                {
                    if (i < parts.Length - 1)
                    {
                        throw new ArtifactPathException($"{current} is a symbolic link: nothing is written through it");
                    }

                    File.Delete(current);
                }
            }
            else if (i < parts.Length - 1)
            {
                Directory.CreateDirectory(current);
            }
        }
    }

    private static void KeepExecutable(ZipArchiveEntry entry, string full)
    {
        var mode = (entry.ExternalAttributes >> 16) & 0x1FF;
        if (!OperatingSystem.IsWindows() && (mode & 0x49) != 0)
        {
            File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    private static string Printable(string name) =>
        new(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

/// <summary>A path of a download would leave the folder it goes into; nothing of it was written.</summary>
internal sealed class ArtifactPathException(string message) : Exception(message);
