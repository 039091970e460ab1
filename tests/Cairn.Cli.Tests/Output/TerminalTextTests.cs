using Cairn.Cli.Output;

namespace Cairn.Cli.Tests.Output;

/// <summary>Hostile job output against the one sanitizer everything the CLI prints of others' text goes through.</summary>
public sealed class TerminalTextTests
{
    private const string Esc = "\u001b";

    [Theory]
    [InlineData(Esc + "]0;you have been pwned\u0007build ok", "build ok")]
    [InlineData(Esc + "]2;title" + Esc + "\\build ok", "build ok")]
    [InlineData("secret" + Esc + "[2K" + Esc + "[1Gall good", "secretall good")]
    [InlineData("rm -rf /\rall good", "rm -rf /all good")]
    [InlineData("password\b\b\b\b\b\b\b\bxxxxxxxx", "passwordxxxxxxxx")]
    [InlineData("see " + Esc + "]8;;https://evil.example/" + Esc + "\\https://good.example" + Esc + "]8;;" + Esc + "\\ now", "see https://good.example now")]
    [InlineData("8-bit \u009b2Kcsi and \u009d0;title\u009c done", "8-bit csi and  done")]
    [InlineData("dcs " + Esc + "P1$qm" + Esc + "\\apc " + Esc + "_hidden" + Esc + "\\pm " + Esc + "^x" + Esc + "\\sos " + Esc + "Xy" + Esc + "\\end", "dcs apc pm sos end")]
    [InlineData("cursor " + Esc + "[10;20H" + Esc + "[A" + Esc + "[?25l" + Esc + "[?1049h" + Esc + "7moved" + Esc + "8", "cursor moved")]
    [InlineData("reset " + Esc + "c" + Esc + "(0" + Esc + "Mdone", "reset done")]
    [InlineData("bell\u0007 nul\0 del\u007f c1\u0085 form\f vt\v", "bell nul del c1 form vt")]
    [InlineData("unterminated title at the end " + Esc + "]0;never ends", "unterminated title at the end ")]
    [InlineData("unterminated csi at the end " + Esc + "[12;3", "unterminated csi at the end ")]
    [InlineData("lone escape at the end " + Esc, "lone escape at the end ")]
    [InlineData("8-bit csi at the end \u009b", "8-bit csi at the end ")]
    public void Clean_DropsEverySequenceATerminalWouldActOn(string hostile, string shown)
    {
        Assert.Equal(shown, TerminalText.Clean(hostile, keepColour: true));
        Assert.Equal(shown, TerminalText.Clean(hostile, keepColour: false));
    }

    [Fact]
    public void Clean_KeepsColour_OnlyForATerminal()
    {
        var coloured = Esc + "[1;31mFAIL" + Esc + "[0m " + Esc + "[38;5;196mred" + Esc + "[m " + Esc + "[38:2::255:0:0mrgb" + Esc + "[39m";

        Assert.Equal(coloured, TerminalText.Clean(coloured, keepColour: true));
        Assert.Equal("FAIL red rgb", TerminalText.Clean(coloured, keepColour: false));
    }

    [Theory]
    [InlineData(Esc + "[?31m")]
    [InlineData(Esc + "[31 m")]
    [InlineData(Esc + "[>4;2m")]
    [InlineData("\u009b31m")]
    public void Clean_TakesForColourOnlyPlainSgr(string sequence) =>
        Assert.Equal("x", TerminalText.Clean(sequence + "x", keepColour: true));

    [Fact]
    public void Clean_EndsAnUnfinishedSequenceWithItsLine_SoTheNextLinesShow()
    {
        var log = "title " + Esc + "]0;never closed\nnext line\ncsi " + Esc + "[12\nlast line\ndcs " + Esc + "Pq\r\nshown";

        Assert.Equal("title \nnext line\ncsi \nlast line\ndcs \nshown", TerminalText.Clean(log, keepColour: true));
    }

    [Fact]
    public void Clean_KeepsTabsAndLineFeeds_AndReadsCrLfAsLf()
    {
        Assert.Equal("a\tb\nc\nd\n", TerminalText.Clean("a\tb\r\nc\nd\r\n", keepColour: true));
    }

    [Fact]
    public void Clean_LeavesPlainTextAsTheSameString()
    {
        var text = "plain text, ünïcödé, 日本語, emoji 🎉\tand a tab\n";

        Assert.Same(text, TerminalText.Clean(text, keepColour: false));
    }

    [Fact]
    public async Task TheWriter_CleansEveryKindOfWrite_AndKeepsItsOwnLines()
    {
        using var inner = new StringWriter { NewLine = "\n" };
        await using var writer = new TerminalWriter(inner, keepColour: false);

        writer.Write(Esc + "]0;t\u0007a");
        writer.Write('\u001b');
        writer.Write('\r');
        writer.Write('b');
        writer.WriteLine("c" + Esc + "[2K");
        await writer.WriteAsync("d\re");
        await writer.WriteLineAsync(Esc + "[31mf" + Esc + "[0m");
        writer.Write("g\u009b2K".AsSpan());
        writer.WriteLine("h".ToCharArray(), 0, 1);

        Assert.Equal("abc\ndef\ngh\n", inner.ToString());
    }
}
