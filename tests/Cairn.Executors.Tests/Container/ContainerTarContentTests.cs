using System.Formats.Tar;
using Cairn.Executors.Container;
using Cairn.Executors.Shell;
using static Cairn.Executors.Tests.Shell.TarStreams;

namespace Cairn.Executors.Tests.Container;

/// <summary>What an upload into a container carries: the caller's entries, named plainly, given to the container's
/// user, without setuid bits, and nothing that would leave the folder.</summary>
public sealed class ContainerTarContentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<MemoryStream> UploadAsync(ContainerTarContent content)
    {
        var body = new MemoryStream();
        await content.CopyToAsync(body, Token);
        return body;
    }

    [Fact]
    public async Task Entries_AreGivenToTheContainersUser_WithoutSetuidBits()
    {
        using var content = new ContainerTarContent(
            Write(FolderEntry("./deps/"), FileEntry("deps//tool", "#!/bin/sh\n", (UnixFileMode)0xDED), LinkEntry("current", "deps")),
            "/home/builder/.cache/x", 1000, 1001);

        var body = await UploadAsync(content);

        body.Position = 0;
        using var reader = new TarReader(body);
        var entries = new List<(TarEntryType, string, int, int, UnixFileMode)>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add((entry.EntryType, entry.Name, entry.Uid, entry.Gid, entry.Mode));
        }

        Assert.Equal(
            [(TarEntryType.Directory, "deps", 1000, 1001, (UnixFileMode)0x1ED), (TarEntryType.RegularFile, "deps/tool", 1000, 1001, (UnixFileMode)0x1ED),
             (TarEntryType.SymbolicLink, "current", 1000, 1001, (UnixFileMode)0x1A4)],
            entries);
        Assert.Null(content.Refusal);
    }

    [Theory]
    [InlineData("../x", TarEntryType.RegularFile, "")]
    [InlineData("/etc/x", TarEntryType.RegularFile, "")]
    [InlineData("l", TarEntryType.SymbolicLink, "../../../etc")]
    [InlineData("h", TarEntryType.HardLink, "/etc/shadow")]
    [InlineData("fifo", TarEntryType.Fifo, "")]
    public async Task AnEntryThatWouldLeave_IsRefused_AndSaysWhich(string name, TarEntryType type, string link)
    {
        var entry = new PaxTarEntry(type, name);
        if (link.Length > 0)
        {
            entry.LinkName = link;
        }

        using var content = new ContainerTarContent(Write(entry), "/root/.cache/x", 0, 0);

        await Assert.ThrowsAnyAsync<Exception>(() => UploadAsync(content));

        Assert.NotNull(content.Refusal);
        Assert.Contains($"'{name}'", content.Refusal.Message, StringComparison.Ordinal);
        Assert.IsType<TarEntryRefusedException>(content.Refusal);
    }
}
