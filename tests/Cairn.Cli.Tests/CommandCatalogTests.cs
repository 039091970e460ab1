using System.CommandLine;

namespace Cairn.Cli.Tests;

/// <summary>cairn builds only the command a line asks for and outlines the others; whatever the line, the parser must
/// answer as it does with every command built: the same help, the same errors, the same exit code.</summary>
public sealed class CommandCatalogTests : IDisposable
{
    private readonly SignalEscalation _signals = new();

    public static TheoryData<string> CommandNames() => [.. CommandCatalog.All.Select(c => c.Name)];

    /// <summary>Every command and sub-command, as the words that reach it.</summary>
    public static TheoryData<string> CommandPaths()
    {
        using var signals = new SignalEscalation();
        var paths = new TheoryData<string>();
        foreach (var command in CommandCatalog.Full(signals).Subcommands)
        {
            Walk(command, command.Name);
        }

        return paths;

        void Walk(Command command, string path)
        {
            paths.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, $"{path} {sub.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Outline_HasTheBuiltCommandsName_Description_AndArgument(string name)
    {
        var entry = CommandCatalog.All.Single(c => c.Name == name);
        var built = entry.Build(_signals);
        var outline = entry.Outline();

        Assert.Equal(built.Name, outline.Name);
        Assert.Equal(built.Description, outline.Description);
        Assert.Equal(built.Aliases, outline.Aliases);
        Assert.Equal(built.Hidden, outline.Hidden);
        Assert.Equal(built.Arguments.Where(a => !a.Hidden).Select(a => a.Name), outline.Arguments.Select(a => a.Name));
        Assert.Equal(
            built.Arguments.Where(a => a.HasDefaultValue).Select(a => a.GetDefaultValue()),
            outline.Arguments.Where(a => a.HasDefaultValue).Select(a => a.GetDefaultValue()));
    }

    [Fact]
    public void RootHelp_FromOutlines_IsTheHelpWithEveryCommandBuilt()
    {
        var outlined = Answer(CommandCatalog.For(["--help"], _signals), "--help");

        Assert.Equal(Answer(CommandCatalog.Full(_signals), "--help"), outlined);
        Assert.Equal(0, outlined.ExitCode);
        foreach (var command in CommandCatalog.All)
        {
            Assert.Contains($"\n  {command.Name} ", outlined.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void CommandHelp_WithOnlyThatCommandBuilt_IsItsHelpWithEveryCommandBuilt(string path)
    {
        string[] args = [.. path.Split(' '), "--help"];

        var root = CommandCatalog.For(args, _signals);
        var lazy = Answer(root, args);

        Assert.Equal(Answer(CommandCatalog.Full(_signals), args), lazy);
        Assert.Equal(0, lazy.ExitCode);
        var usage = lazy.Output.Split('\n').SkipWhile(line => line != "Usage:").ElementAt(1);
        Assert.StartsWith($"  {root.Name} {args[0]}", usage, StringComparison.Ordinal);
        Assert.Contains($" {args[^2]}", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("valdate")]
    [InlineData("--bogus")]
    [InlineData("-- validate")]
    [InlineData("validate --bogus")]
    [InlineData("validate a b")]
    [InlineData("cancel")]
    [InlineData("cancel abc")]
    [InlineData("trigger not-a-repo")]
    [InlineData("repo")]
    [InlineData("repo ad")]
    [InlineData("run . --parallel zero")]
    [InlineData("worker --bogus")]
    [InlineData("server --port")]
    public void ALineWithAMistake_GetsTheSameErrors_AsWithEveryCommandBuilt(string line)
    {
        var args = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var full = CommandCatalog.Full(_signals).Parse(args);
        var lazy = CommandCatalog.For(args, _signals).Parse(args);

        Assert.NotEmpty(full.Errors);
        Assert.Equal(full.Errors.Select(e => e.Message), lazy.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("--version extra")]
    [InlineData("-h validate")]
    [InlineData("--help cancel")]
    [InlineData("-? repo add")]
    public void RootOptions_AnswerAsWithEveryCommandBuilt(string line)
    {
        var args = line.Split(' ');

        var lazy = Answer(CommandCatalog.For(args, _signals), args);

        Assert.Equal(Answer(CommandCatalog.Full(_signals), args), lazy);
        Assert.NotEmpty(lazy.Output.Trim() + lazy.Error.Trim());
    }

    [Theory]
    [InlineData("@responses")]
    [InlineData("[suggest]")]
    public void ALineTheParserReadsMoreInto_BuildsEveryCommand(string first)
    {
        var root = CommandCatalog.For([first, "validate"], _signals);

        Assert.All(root.Subcommands, c => Assert.True(c.Action is not null || c.Subcommands.Count > 0, c.Name));
    }

    [Fact]
    public void OnlyTheCommandAsked_IsBuilt()
    {
        var root = CommandCatalog.For(["--help", "validate", "x"], _signals);

        var built = root.Subcommands.Where(c => c.Action is not null || c.Subcommands.Count > 0 || c.Options.Count > 0);
        Assert.Equal(["validate"], built.Select(c => c.Name));
    }

    [Fact]
    public async Task EveryCommandTheRootHelpLists_AnswersItsOwnHelp_FromTheBuiltProgram()
    {
        var root = await CairnProcess.RunAsync(Path.GetTempPath(), "--help");
        Assert.True(root.ExitCode == 0, root.ToString());
        var listed = root.Stdout[root.Stdout.IndexOf("Commands:", StringComparison.Ordinal)..]
            .Split('\n')
            .Skip(1)
            .Where(line => line.StartsWith("  ", StringComparison.Ordinal))
            .Select(line => line.TrimStart().Split(' ')[0])
            .ToList();

        Assert.Equal(CommandCatalog.All.Select(c => c.Name), listed);
        foreach (var name in listed)
        {
            var help = await CairnProcess.RunAsync(Path.GetTempPath(), name, "--help");
            Assert.True(help.ExitCode == 0, help.ToString());
            var full = CommandCatalog.Full(_signals);
            Assert.Equal(Answer(full, name, "--help").Output.Replace($"  {full.Name} ", "  cairn ", StringComparison.Ordinal), help.Stdout);
        }
    }

    public void Dispose() => _signals.Dispose();

    private static HelpAnswer Answer(RootCommand root, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        return new HelpAnswer(exitCode, output.ToString(), error.ToString());
    }

    private sealed record HelpAnswer(int ExitCode, string Output, string Error);
}
