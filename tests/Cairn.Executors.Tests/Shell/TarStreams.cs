using System.Formats.Tar;

namespace Cairn.Executors.Tests.Shell;

/// <summary>Tars written and read in memory, for what the files tests put in and get out.</summary>
internal static class TarStreams
{
    public static MemoryStream Write(params TarEntry[] entries)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        tar.Position = 0;
        return tar;
    }

    public static PaxTarEntry FileEntry(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = mode };

    public static PaxTarEntry FolderEntry(string name) => new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED };

    public static PaxTarEntry LinkEntry(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    /// <summary>Each entry of a tar: its type, name, link target and text content.</summary>
    public static IReadOnlyList<(TarEntryType Type, string Name, string LinkName, string Content, UnixFileMode Mode)> Read(Stream tar)
    {
        tar.Position = 0;
        var read = new List<(TarEntryType, string, string, string, UnixFileMode)>();
        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            var content = entry.DataStream is { } data ? new StreamReader(data).ReadToEnd() : "";
            read.Add((entry.EntryType, entry.Name.TrimEnd('/'), entry.LinkName, content, entry.Mode));
        }

        return read;
    }
}
