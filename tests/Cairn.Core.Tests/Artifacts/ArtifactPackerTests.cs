using System.Formats.Tar;
using System.Text;
using Cairn.Core.Artifacts;

namespace Cairn.Core.Tests.Artifacts;

public sealed class ArtifactPackerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_file_is_indexed_at_the_offset_its_bytes_start_at_and_the_blob_is_the_tar_unchanged()
    {
        var longName = "dist/" + new string('d', 150) + "/report.txt";
        var tar = Tar(("dist/app.js", "console.log(1)"), (longName, "long names take an extended header"), ("coverage.xml", new string('x', 5000)));
        using var blob = new MemoryStream();

        var files = await ArtifactPacker.PackAsync(new NonSeekable(tar), blob, long.MaxValue, () => "too big", Ct);

        Assert.Equal(tar, blob.ToArray());
        Assert.Equal(["coverage.xml", "dist/app.js", longName], files.Select(f => f.Path));
        foreach (var (file, text) in files.Zip(new[] { new string('x', 5000), "console.log(1)", "long names take an extended header" }))
        {
            Assert.Equal(text.Length, file.Size);
            Assert.Equal(text, Encoding.UTF8.GetString(tar, (int)file.Offset, (int)file.Size));
        }
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("dist/../../x")]
    public async Task A_name_that_leaves_the_folder_refuses_the_whole_set(string name)
    {
        var tar = Tar(("ok.txt", "fine"), (name, "bad"));

        var refused = await Assert.ThrowsAsync<ArtifactRefusedException>(() => ArtifactPacker.PackAsync(new MemoryStream(tar), Stream.Null, long.MaxValue, () => "too big", Ct));

        Assert.Contains("refused", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_that_leaves_the_folder_is_refused_and_one_inside_is_kept()
    {
        var inside = Tar(("dist/app", "x")).Concat(Array.Empty<byte>()).ToArray();
        using var good = new MemoryStream();
        await using (var writer = new TarWriter(good, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "dist/latest") { LinkName = "app" }, Ct);
        }

        var files = await ArtifactPacker.PackAsync(new MemoryStream(good.ToArray()), Stream.Null, long.MaxValue, () => "too big", Ct);
        Assert.Equal("app", Assert.Single(files).LinkTarget);

        using var bad = new MemoryStream();
        await using (var writer = new TarWriter(bad, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "dist/secrets") { LinkName = "../../etc" }, Ct);
        }

        await Assert.ThrowsAsync<ArtifactRefusedException>(() => ArtifactPacker.PackAsync(new MemoryStream(bad.ToArray()), Stream.Null, long.MaxValue, () => "too big", Ct));
        Assert.NotEmpty(inside);
    }

    [Fact]
    public async Task A_tar_bigger_than_the_limit_is_refused_with_the_limit_s_sentence()
    {
        var tar = Tar(("big.bin", new string('b', 100_000)));

        var refused = await Assert.ThrowsAsync<ArtifactRefusedException>(() => ArtifactPacker.PackAsync(new MemoryStream(tar), Stream.Null, 10_000, () => "the job may keep at most 10 KB", Ct));

        Assert.Equal("the job may keep at most 10 KB", refused.Message);
    }

    [Fact]
    public async Task The_filter_keeps_matching_files_renamed_under_a_prefix_and_says_what_it_refused()
    {
        using var source = new MemoryStream();
        await using (var writer = new TarWriter(source, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "dist/a.js") { DataStream = new MemoryStream("a"u8.ToArray()) }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "src/b.cs") { DataStream = new MemoryStream("b"u8.ToArray()) }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "dist/passwd") { LinkName = "/etc/passwd" }, Ct);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.HardLink, "dist/hard") { LinkName = "dist/a.js" }, Ct);
        }

        source.Position = 0;
        var filter = new TarFilter(Cairn.Core.Pipelines.Glob.Compile(["dist/**"]), folders: false);
        var refusals = new List<string>();
        using var output = new MemoryStream();
        await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            await filter.CopyAsync(new NonSeekable(source.ToArray()), writer, "", "workspace/", refusals.Add, Ct);
        }

        output.Position = 0;
        var names = new List<string>();
        await using (var reader = new TarReader(output))
        {
            while (await reader.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            {
                names.Add(entry.Name);
                Assert.Equal("a", new StreamReader(entry.DataStream!).ReadToEnd());
            }
        }

        Assert.Equal(["workspace/dist/a.js"], names);
        Assert.Equal(1, filter.Files);
        Assert.Equal(2, refusals.Count);
        Assert.Contains(refusals, r => r.Contains("'/etc/passwd', which leaves the folder", StringComparison.Ordinal));
        Assert.Contains(refusals, r => r.Contains("hard link", StringComparison.Ordinal));
    }

    internal static byte[] Tar(params (string Name, string Text)[] files)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        return stream.ToArray();
    }

    /// <summary>A stream that cannot seek, as a pipe or a request body is.</summary>
    internal sealed class NonSeekable(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 700));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
