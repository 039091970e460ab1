using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Container;

/// <summary>The body of an archive upload into a container: the caller's tar re-written entry by entry as it streams,
/// each name checked, only folders, files and links that stay inside <paramref name="directory"/> let through, no
/// setuid bit, and everything given to the container's user (the engine extracts as root).</summary>
internal sealed class ContainerTarContent : HttpContent
{
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF;

    private readonly Stream _tar;
    private readonly string _directory;
    private readonly int _uid;
    private readonly int _gid;

    public ContainerTarContent(Stream tar, string directory, int uid, int gid)
    {
        _tar = tar;
        _directory = directory;
        _uid = uid;
        _gid = gid;
        Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
    }

    /// <summary>Why the tar was refused, once it was: the upload is then cut short.</summary>
    public TarEntryRefusedException? Refusal { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await CopyAsync(stream, cancellationToken);
        }
        catch (TarEntryRefusedException error)
        {
            Refusal = error;
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    private async Task CopyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new TarReader(_tar, leaveOpen: true);
        var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        await using (reader)
        await using (writer)
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

                var name = string.Join('/', parts);
                var type = entry.EntryType switch
                {
                    TarEntryType.Directory => TarEntryType.Directory,
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => TarEntryType.RegularFile,
                    TarEntryType.SymbolicLink => TarEntryType.SymbolicLink,
                    _ => throw new TarEntryRefusedException(entry.Name, $"{entry.EntryType} entries are not extracted"),
                };
                if (type == TarEntryType.SymbolicLink
                    && !TarEntryNames.LinkStaysUnder(_directory, $"{_directory.TrimEnd('/')}/{name}", entry.LinkName))
                {
                    throw new TarEntryRefusedException(entry.Name, $"its link target '{TarEntryNames.Shown(entry.LinkName)}' leaves the folder");
                }

                var copy = new PaxTarEntry(type, name)
                {
                    Mode = (entry.Mode & Permissions) | (type == TarEntryType.Directory ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : 0),
                    ModificationTime = entry.ModificationTime,
                    Uid = _uid,
                    Gid = _gid,
                };
                if (type == TarEntryType.SymbolicLink)
                {
                    copy.LinkName = entry.LinkName;
                }
                else if (type == TarEntryType.RegularFile)
                {
                    // The copy goes to a pipe or a request body, which cannot seek: the writer takes the length from here.
                    copy.DataStream = entry.DataStream is { } data ? new Core.Artifacts.KnownLengthStream(data, entry.Length) : null;
                }

                await writer.WriteEntryAsync(copy, cancellationToken);
            }
        }
    }
}
