using System.Text;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Tests;

public sealed class LineSplitterTests
{
    private readonly List<string> _lines = [];
    private readonly List<bool> _continues = [];

    [Fact]
    public void Lines_AreSplitOnNewline_AndDropTrailingCarriageReturn()
    {
        var splitter = new LineSplitter(Add);

        splitter.Write("one\r\ntw"u8);
        splitter.Write("o\n\nthree"u8);
        splitter.Flush();

        Assert.Equal(["one", "two", "", "three"], _lines);
    }

    [Fact]
    public void InvalidUtf8_IsReplaced_NotThrown()
    {
        var splitter = new LineSplitter(Add);

        splitter.Write([0xff, 0xfe, (byte)'a', (byte)'\n']);

        Assert.Equal("\uFFFD\uFFFDa", Assert.Single(_lines));
    }

    [Fact]
    public void OverlongLine_IsCut_WithoutBreakingAMultiByteCharacter()
    {
        var splitter = new LineSplitter(Add, maxLineBytes: 8);

        // "aaaaaaa€" is 7 + 3 bytes: the euro sign would straddle the 8-byte cut.
        splitter.Write(Encoding.UTF8.GetBytes("aaaaaaa€bb\n"));

        Assert.Equal(["aaaaaaa", "€bb"], _lines);
        Assert.Equal([true, false], _continues);
    }

    [Fact]
    public void MultiByteCharacter_SplitAcrossReads_IsDecodedWhole()
    {
        var splitter = new LineSplitter(Add);
        var bytes = Encoding.UTF8.GetBytes("é\n");

        splitter.Write(bytes.AsSpan(0, 1));
        splitter.Write(bytes.AsSpan(1));

        Assert.Equal("é", Assert.Single(_lines));
    }

    [Fact]
    public void Flush_EmitsNothing_WhenNoPartialLine()
    {
        var splitter = new LineSplitter(Add);

        splitter.Write("done\n"u8);
        splitter.Flush();

        Assert.Equal(["done"], _lines);
    }

    private void Add(string line, bool continues)
    {
        _lines.Add(line);
        _continues.Add(continues);
    }
}
