using System.CommandLine;
using System.CommandLine.Help;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn --help</c> and <c>cairn --version</c> are written without the parser; they must be the parser's
/// own answers to the character.</summary>
public sealed class RootAnswersTests : IDisposable
{
    private readonly SignalEscalation _signals = new();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(250)]
    [InlineData(160)]
    [InlineData(120)]
    [InlineData(100)]
    [InlineData(80)]
    [InlineData(79)]
    [InlineData(60)]
    [InlineData(45)]
    [InlineData(30)]
    public void RootHelp_IsTheParsersHelp_AtAnyWidth(int width)
    {
        var root = CommandCatalog.Full(_signals);
        using var written = new StringWriter();

        RootAnswers.WriteHelp(written, root.Name, width);

        Assert.Equal(ParserHelp(root, width), written.ToString());
    }

    [Fact]
    public void Version_IsTheParsersVersion()
    {
        using var output = new StringWriter();
        var exitCode = CommandCatalog.Full(_signals).Parse(["--version"]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exitCode);
        Assert.Equal(output.ToString(), RootAnswers.Version() + Environment.NewLine);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    [InlineData("--version")]
    public void OnlyALineOfOneRootOption_IsAnsweredWithoutTheParser(string option)
    {
        using var output = new StringWriter();

        Assert.True(RootAnswers.TryAnswer([option], output));
        Assert.NotEmpty(output.ToString());
        foreach (var line in new[] { new[] { option, "validate" }, ["validate", option], ["--HELP"], [], ["--help", "--help"] })
        {
            Assert.False(RootAnswers.TryAnswer(line, output), string.Join(' ', line));
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task TheBuiltProgramsRootHelp_IsTheParsersHelp(string option)
    {
        var result = await CairnProcess.RunAsync(Path.GetTempPath(), option);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stderr);
        var root = CommandCatalog.Full(_signals);
        Assert.Equal(ParserHelp(root, int.MaxValue).Replace($"  {root.Name} ", "  cairn ", StringComparison.Ordinal), result.Stdout);
    }

    [Fact]
    public async Task TheBuiltProgramsVersion_IsTheParsersVersion()
    {
        var result = await CairnProcess.RunAsync(Path.GetTempPath(), "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout);
        var cairn = typeof(RootAnswers).Assembly;
        Assert.Contains(result.Stdout.Trim(), cairn.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Select(a => a.InformationalVersion));
    }

    public void Dispose() => _signals.Dispose();

    private static string ParserHelp(RootCommand root, int width)
    {
        root.Options.OfType<HelpOption>().Single().Action = new HelpAction { MaxWidth = width };
        using var output = new StringWriter();
        Assert.Equal(0, root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = output }));
        return output.ToString();
    }
}
