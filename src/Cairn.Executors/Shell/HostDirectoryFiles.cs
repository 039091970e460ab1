using System.Formats.Tar;
using System.Runtime.Versioning;

namespace Cairn.Executors.Shell;

/// <summary>Files in and out of folders on this host as tar streams (PAX), never following a symbolic link: links
/// are archived as links, and extraction refuses to write through one, to leave its folder, or to make a hard link,
/// device or FIFO. <paramref name="anchors"/> are the folders (workspace, HOME) below which every folder on the way is
/// checked the same way; <paramref name="owner"/>, when given, gets everything extracted (the steps' user).</summary>
internal sealed class HostDirectoryFiles(IReadOnlyList<string> anchors, UnixAccount? owner)
{
    /// <summary>What a tar's mode may set: permissions, never setuid, setgid or sticky bits.</summary>
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF;

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode LinkMode = (UnixFileMode)0x1FF;

    /// <summary>See <see cref="Core.Execution.IEnvironmentFiles.ArchiveAsync"/>: a subpath that is missing, or that
    /// reaches through a symbolic link on its way, is left out.</summary>
    public async Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("files move in and out of jobs on Linux and other Unix hosts only");
        }

        ArgumentNullException.ThrowIfNull(subpaths);
        var root = Path.GetFullPath(directory);
        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer)
        {
            var (anchor, below) = Anchored(root);
            if (!FoldersAllTheWay(anchor, below))
            {
                return;
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var subpath in subpaths)
            {
                var parts = TarEntryNames.Components(subpath);
                if (FoldersAllTheWay(root, parts.Take(parts.Count - 1)))
                {
                    await WriteTreeAsync(writer, root, string.Join('/', parts), written, cancellationToken);
                }
            }
        }
    }

    /// <summary>See <see cref="Core.Execution.IEnvironmentFiles.ExtractAsync"/>. Throws <see cref="IOException"/>
    /// naming the first entry refused; entries before it stay extracted.</summary>
    public async Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("files move in and out of jobs on Linux and other Unix hosts only");
        }

        var root = Path.GetFullPath(directory);
        var (anchor, below) = Anchored(root);
        Directory.CreateDirectory(anchor);
        MakeFolders(anchor, below, root);

        var reader = new TarReader(tar, leaveOpen: true);
        await using (reader)
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }

                var parts = TarEntryNames.Components(entry.Name);
                if (parts.Count == 0)
                {
                    continue;
                }

                var parent = MakeFolders(root, parts.Take(parts.Count - 1), entry.Name);
                var target = Path.Join(parent, parts[^1]);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        PutFolder(target, entry);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        await PutFileAsync(parent, target, entry, cancellationToken);
                        break;
                    case TarEntryType.SymbolicLink:
                        PutLink(root, target, entry);
                        break;
                    default:
                        throw new TarEntryRefusedException(entry.Name, $"{entry.EntryType} entries are not extracted");
                }
            }
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task WriteTreeAsync(TarWriter writer, string root, string relative, HashSet<string> written, CancellationToken cancellationToken)
    {
        var full = relative.Length == 0 ? root : Path.Join(root, relative);
        var kind = FileKinds.Of(full);
        if (kind is FileKind.Missing or FileKind.Other)
        {
            return;
        }

        if (relative.Length > 0 && written.Add(relative))
        {
            await WriteEntryAsync(writer, full, relative, kind, cancellationToken);
        }

        if (kind == FileKind.Directory)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                await WriteTreeAsync(writer, root, relative.Length == 0 ? child! : $"{relative}/{child}", written, cancellationToken);
            }
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static async Task WriteEntryAsync(TarWriter writer, string full, string name, FileKind kind, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case FileKind.Directory:
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name)
                {
                    Mode = File.GetUnixFileMode(full),
                    ModificationTime = Directory.GetLastWriteTimeUtc(full),
                }, cancellationToken);
                break;
            case FileKind.SymbolicLink:
                var link = new FileInfo(full);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name)
                {
                    LinkName = link.LinkTarget ?? "",
                    Mode = LinkMode,
                    ModificationTime = link.LastWriteTimeUtc,
                }, cancellationToken);
                break;
            default:
                var content = new FileStream(full, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Read,
                    Share = FileShare.ReadWrite | FileShare.Delete,
                    Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                });
                await using (content)
                {
                    if (!FileKinds.IsStill(full, content.SafeFileHandle))
                    {
                        return;
                    }

                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                    {
                        Mode = File.GetUnixFileMode(content.SafeFileHandle),
                        ModificationTime = File.GetLastWriteTimeUtc(content.SafeFileHandle),
                        DataStream = content,
                    }, cancellationToken);
                }

                break;
        }
    }

    /// <summary>The anchor <paramref name="root"/> lies under, and the folders from it to <paramref name="root"/>; with
    /// none, the deepest folder of <paramref name="root"/>'s that exists.</summary>
    private (string Anchor, IReadOnlyList<string> Below) Anchored(string root)
    {
        var anchor = anchors.Select(Path.GetFullPath).Where(a => TarEntryNames.IsUnder(a, root)).MaxBy(a => a.Length);
        if (anchor is null)
        {
            anchor = root;
            while (!Directory.Exists(anchor) && Path.GetDirectoryName(anchor) is { } up)
            {
                anchor = up;
            }
        }

        return (anchor, Path.GetRelativePath(anchor, root) is var relative && relative != "."
            ? relative.Split('/', StringSplitOptions.RemoveEmptyEntries)
            : []);
    }

    private static bool FoldersAllTheWay(string start, IEnumerable<string> parts)
    {
        var path = start;
        foreach (var part in parts)
        {
            path = Path.Join(path, part);
            if (FileKinds.Of(path) != FileKind.Directory)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Makes each folder of <paramref name="parts"/> below <paramref name="start"/> that is missing, as the
    /// owner; refuses one that is a symbolic link or a file. Returns the last.</summary>
    [UnsupportedOSPlatform("windows")]
    private string MakeFolders(string start, IEnumerable<string> parts, string entry)
    {
        var path = start;
        foreach (var part in parts)
        {
            path = Path.Join(path, part);
            switch (FileKinds.Of(path))
            {
                case FileKind.Directory:
                    break;
                case FileKind.Missing:
                    Directory.CreateDirectory(path, FolderMode);
                    Own(path);
                    break;
                default:
                    throw new TarEntryRefusedException(entry, $"'{path}' is a symbolic link or a file, not a folder, and is not written through");
            }
        }

        return path;
    }

    [UnsupportedOSPlatform("windows")]
    private void PutFolder(string target, TarEntry entry)
    {
        switch (FileKinds.Of(target))
        {
            case FileKind.Directory:
                break;
            case FileKind.Regular or FileKind.SymbolicLink:
                File.Delete(target);
                goto case FileKind.Missing;
            case FileKind.Missing:
                Directory.CreateDirectory(target, FolderMode);
                Own(target);
                break;
            default:
                throw new TarEntryRefusedException(entry.Name, "something other than a folder is in its place");
        }

        // The owner must be able to write what follows into it, whatever the tar says.
        File.SetUnixFileMode(target, (entry.Mode & Permissions) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [UnsupportedOSPlatform("windows")]
    private async Task PutFileAsync(string parent, string target, TarEntry entry, CancellationToken cancellationToken)
    {
        if (FileKinds.Of(target) is FileKind.Directory or FileKind.Other)
        {
            throw new TarEntryRefusedException(entry.Name, "a folder or special file is in its place");
        }

        // Written beside it under a fresh name (O_EXCL: never through a link), then renamed over whatever was there,
        // which replaces a link rather than following it.
        var temporary = Path.Join(parent, $".cairn-{Guid.NewGuid():N}");
        try
        {
            var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            await using (file)
            {
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(file, cancellationToken);
                }

                File.SetUnixFileMode(file.SafeFileHandle, entry.Mode & Permissions);
            }

            File.SetLastWriteTimeUtc(temporary, entry.ModificationTime.UtcDateTime);
            Own(temporary);
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    [UnsupportedOSPlatform("windows")]
    private void PutLink(string root, string target, TarEntry entry)
    {
        if (!TarEntryNames.LinkStaysUnder(root, target, entry.LinkName))
        {
            throw new TarEntryRefusedException(entry.Name, $"its link target '{TarEntryNames.Shown(entry.LinkName)}' leaves the folder");
        }

        switch (FileKinds.Of(target))
        {
            case FileKind.Missing:
                break;
            case FileKind.Regular or FileKind.SymbolicLink:
                File.Delete(target);
                break;
            default:
                throw new TarEntryRefusedException(entry.Name, "a folder or special file is in its place");
        }

        File.CreateSymbolicLink(target, entry.LinkName);
        Own(target);
    }

    [UnsupportedOSPlatform("windows")]
    private void Own(string path)
    {
        if (owner is not null && !HostProcess.Chown(path, owner.Uid, owner.Gid))
        {
            throw new IOException($"could not give '{path}' to user {owner.Name}");
        }
    }
}
