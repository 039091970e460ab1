using System.Formats.Tar;

namespace Cairn.Core.Artifacts;

/// <summary>Copies the entries of one tar into another, keeping only what the rules allow: names made canonical
/// (<see cref="ArtifactEntries"/>), regular files, symbolic links that stay inside the tar's folder, and folders when
/// asked; every other entry is refused with a line saying which and why. What is kept may be renamed under a prefix.</summary>
public sealed class TarFilter
{
    private readonly Func<string, bool> _take;
    private readonly bool _folders;

    /// <param name="take">Whether a (normalized) name is wanted at all; an unwanted entry is skipped without a word.</param>
    /// <param name="folders">Whether folder entries are kept (a cache keeps empty folders; artifacts keep files only).</param>
    public TarFilter(Func<string, bool> take, bool folders)
    {
        ArgumentNullException.ThrowIfNull(take);
        _take = take;
        _folders = folders;
    }

    /// <summary>Files kept so far.</summary>
    public int Files { get; private set; }

    /// <summary>Bytes of the files kept so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Copies what is allowed from <paramref name="source"/> to <paramref name="writer"/>: only entries whose name
    /// starts with <paramref name="strip"/> (empty, or ending in <c>/</c>), which is taken off; what is left is the name the
    /// rules and the wanted test apply to, and it is written with <paramref name="add"/> in front. <paramref name="refused"/>
    /// hears one line per refusal.</summary>
    public async Task CopyAsync(Stream source, TarWriter writer, string strip, string add, Action<string> refused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(strip);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(refused);
        var counted = new CountingStream(source, null, long.MaxValue, () => new InvalidOperationException());
        await using var reader = new TarReader(counted, leaveOpen: true);
        while (await NextAsync(reader, counted, cancellationToken) is { } entry)
        {
            if (ArtifactEntries.Normalize(entry.Name, out var why) is not { } full)
            {
                refused($"refused '{entry.Name}': {why}");
                continue;
            }

            if (!full.StartsWith(strip, StringComparison.Ordinal) || full.Length == strip.Length)
            {
                continue;
            }

            var name = full[strip.Length..];
            var prefix = add;
            if (!_take(name))
            {
                continue;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.RegularFile, prefix + name)
                        {
                            Mode = entry.Mode,
                            ModificationTime = entry.ModificationTime,
                            DataStream = entry.DataStream is { } data ? new KnownLengthStream(data, entry.Length) : Stream.Null,
                        },
                        cancellationToken);
                    Files++;
                    Bytes += entry.Length;
                    break;
                case TarEntryType.SymbolicLink when ArtifactEntries.LinkStaysInside(name, entry.LinkName):
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.SymbolicLink, prefix + name) { LinkName = entry.LinkName, Mode = entry.Mode, ModificationTime = entry.ModificationTime },
                        cancellationToken);
                    Files++;
                    break;
                case TarEntryType.SymbolicLink:
                    refused($"refused '{name}': a symbolic link to '{entry.LinkName}', which leaves the folder");
                    break;
                case TarEntryType.Directory:
                    if (_folders)
                    {
                        await writer.WriteEntryAsync(
                            new PaxTarEntry(TarEntryType.Directory, prefix + name) { Mode = entry.Mode, ModificationTime = entry.ModificationTime },
                            cancellationToken);
                    }

                    break;
                default:
                    refused($"refused '{name}': a {Describe(entry.EntryType)}, not a file, folder or symbolic link");
                    break;
            }
        }
    }

    /// <summary>The next entry; null at the end, and for a tar with no bytes at all (what a writer that was given no entry
    /// leaves), which the reader would take for a cut one.</summary>
    internal static async Task<TarEntry?> NextAsync(TarReader reader, CountingStream counted, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        }
        catch (EndOfStreamException) when (counted.Count == 0)
        {
            return null;
        }
    }

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.HardLink => "hard link",
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "device",
        TarEntryType.Fifo => "FIFO",
        _ => type.ToString(),
    };
}
