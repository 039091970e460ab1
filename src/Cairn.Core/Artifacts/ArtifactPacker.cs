using System.Formats.Tar;

namespace Cairn.Core.Artifacts;

/// <summary>Reads an artifact tar as it is stored: every byte passes through unchanged to the blob, and each entry is
/// checked (<see cref="ArtifactEntries"/>: a name that leaves the folder, a link that does, anything but a file, folder or
/// link refuses the whole set) and indexed with the offset its bytes start at, so one file can later be read alone.</summary>
public static class ArtifactPacker
{
    /// <summary>Copies <paramref name="tar"/> to <paramref name="blob"/> and answers its files (a later entry of the same
    /// name wins). More than <paramref name="maxBytes"/> bytes of tar refuses the set with <paramref name="overLimit"/>.</summary>
    /// <exception cref="ArtifactRefusedException">An entry is not allowed, or the tar is bigger than the limit.</exception>
    public static async Task<IReadOnlyList<ArtifactFile>> PackAsync(
        Stream tar, Stream blob, long maxBytes, Func<string> overLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(overLimit);
        var counted = new CountingStream(tar, blob, maxBytes, () => new ArtifactRefusedException(overLimit()));
        var files = new Dictionary<string, ArtifactFile>(StringComparer.Ordinal);
        try
        {
            await using (var reader = new TarReader(counted, leaveOpen: true))
            {
                while (await TarFilter.NextAsync(reader, counted, cancellationToken) is { } entry)
                {
                    if (Indexed(entry, counted.Count) is { } file)
                    {
                        files[file.Path] = file;
                    }
                }
            }

            // The end-of-archive blocks belong to the blob too.
            await counted.CopyToAsync(Stream.Null, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArtifactRefusedException($"the artifacts are not a readable tar: {ex.Message}", ex);
        }

        return [.. files.Values.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    private static ArtifactFile? Indexed(TarEntry entry, long offset)
    {
        if (ArtifactEntries.Normalize(entry.Name, out var why) is not { } name)
        {
            throw new ArtifactRefusedException($"the entry '{entry.Name}' is refused: {why}");
        }

        var mode = (int)entry.Mode;
        return entry.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile =>
                new ArtifactFile(name, entry.Length, offset, mode, entry.ModificationTime),
            TarEntryType.SymbolicLink when ArtifactEntries.LinkStaysInside(name, entry.LinkName) =>
                new ArtifactFile(name, 0, offset, mode, entry.ModificationTime, entry.LinkName),
            TarEntryType.SymbolicLink =>
                throw new ArtifactRefusedException($"the entry '{name}' is refused: a symbolic link to '{entry.LinkName}', which leaves the folder"),
            TarEntryType.Directory => null,
            _ => throw new ArtifactRefusedException($"the entry '{name}' is refused: only files, folders and symbolic links are kept"),
        };
    }
}
