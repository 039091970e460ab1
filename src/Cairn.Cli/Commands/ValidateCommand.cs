using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn validate [PATH]</c>: every error at once on stderr (exit 2), or <c>valid</c> (exit 0).</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var path = CommonArguments.PipelinePath();
        var command = new Command("validate", "Check a pipeline and report every error with its line and column") { path };
        command.SetAction(parse => Run(parse.GetValue(path)!, Console.Out, Terminal.Writer(Terminal.Stream.Error)));
        return command;
    }

    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        var (file, error) = PipelineFile.Locate(path);
        if (file is null)
        {
            stderr.WriteLine($"error: {error}");
            return ExitCodes.Usage;
        }

        var result = PipelineFile.Load(file);
        foreach (var warning in result.Warnings)
        {
            stderr.WriteLine(warning);
        }

        if (!result.IsValid)
        {
            foreach (var problem in result.Errors)
            {
                stderr.WriteLine(problem);
            }

            return ExitCodes.Usage;
        }

        stdout.WriteLine("valid");
        return ExitCodes.Succeeded;
    }
}
