using System.CommandLine;
using Cairn.Core.Pipelines;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn schema</c>: prints the JSON Schema of <c>.cairn.yml</c>, for editors.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the JSON Schema of .cairn.yml (point an editor's YAML support at it)");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(PipelineSchema.Generate());
            return ExitCodes.Succeeded;
        });
        return command;
    }
}
