using System.Reflection;

namespace Cairn.Cli;

/// <summary>What <c>cairn --help</c> and <c>cairn --version</c> print, written from the catalog without loading the
/// command-line parser, which is most of what those two would cost. The text is the parser's own, to the character and
/// at any width (a test holds the two together); every other line still goes through the parser.</summary>
internal static class RootAnswers
{
    private const string Indent = "  ";

    /// <summary>Answers the line when it is only <c>--help</c> (<c>-h</c>, <c>-?</c>) or only <c>--version</c>.</summary>
    public static bool TryAnswer(string[] args, TextWriter output)
    {
        switch (args)
        {
            case ["--help" or "-h" or "-?"]:
                WriteHelp(output, ExecutableName(), HelpWidth());
                return true;
            case ["--version"]:
                output.WriteLine(Version());
                return true;
            default:
                return false;
        }
    }

    /// <summary>The root's help for a terminal <paramref name="width"/> wide (<see cref="int.MaxValue"/>: not wrapped).</summary>
    public static void WriteHelp(TextWriter output, string executable, int width)
    {
        output.WriteLine("Description:");
        WriteWrapped(output, CommandCatalog.RootDescription, width);
        output.WriteLine();
        output.WriteLine("Usage:");
        WriteWrapped(output, $"{executable} [command] [options]", width);
        output.WriteLine();
        output.WriteLine("Options:");
        WriteColumns(output, [new("-?, -h, --help", "Show help and usage information"), new("--version", "Show version information")], width);
        output.WriteLine();
        output.WriteLine("Commands:");
        var commands = new HelpRow[CommandCatalog.All.Length];
        for (var i = 0; i < commands.Length; i++)
        {
            var command = CommandCatalog.All[i];
            commands[i] = new HelpRow(
                command.Argument is null ? command.Name : $"{command.Name} <{command.Argument}>",
                command.Default is null ? command.Description : $"{command.Description} [default: {command.Default}]");
        }

        WriteColumns(output, commands, width);
        output.WriteLine();
    }

    /// <summary>The name the parser gives the root: the program's file name without extension or spaces.</summary>
    public static string ExecutableName() =>
        Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0]).Replace(" ", "", StringComparison.Ordinal);

    /// <summary>The program's informational version (with the commit), else its assembly version.</summary>
    public static string Version()
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(RootAnswers).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "";
    }

    /// <summary>The parser's width for help: the terminal's, unwrapped when the output is not a terminal.</summary>
    private static int HelpWidth()
    {
        try
        {
            return Console.IsOutputRedirected ? int.MaxValue : Console.WindowWidth;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException)
        {
            return int.MaxValue;
        }
    }

    private static void WriteWrapped(TextWriter output, string text, int width)
    {
        foreach (var line in Wrap(text, width - Indent.Length))
        {
            output.Write(Indent);
            output.WriteLine(line);
        }
    }

    /// <summary>Two columns: the second starts where the widest first one ends; when a row does not fit, the first
    /// column takes at most half the width and both wrap.</summary>
    private static void WriteColumns(TextWriter output, HelpRow[] rows, int width)
    {
        int first = 0, second = 0;
        foreach (var row in rows)
        {
            first = Math.Max(first, row.First.Length);
            second = Math.Max(second, row.Second.Length);
        }

        if (first + second + (2 * Indent.Length) > width)
        {
            var firstAtMost = (width / 2) - Indent.Length;
            if (first > firstAtMost)
            {
                first = 0;
                foreach (var row in rows)
                {
                    foreach (var line in Wrap(row.First, firstAtMost))
                    {
                        first = Math.Max(first, line.Length);
                    }
                }
            }

            second = width - first - (2 * Indent.Length);
        }

        foreach (var row in rows)
        {
            var left = Wrap(row.First, first);
            var right = Wrap(row.Second, second);
            for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
            {
                var text = i < left.Count ? left[i] : "";
                output.Write(Indent);
                output.Write(text);
                if (i < right.Count && !string.IsNullOrWhiteSpace(right[i]))
                {
                    output.Write(new string(' ', Math.Max(0, first - text.Length)));
                    output.Write(Indent);
                    output.Write(right[i]);
                }

                output.WriteLine();
            }
        }
    }

    /// <summary>Lines of at most <paramref name="width"/>: each ends after the last blank that fits (the blank stays on
    /// the line), or is cut at the width when no blank fits.</summary>
    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return lines;
        }

        foreach (var part in text.Split(["\r\n", "\n"], StringSplitOptions.None))
        {
            if (part.Length <= width)
            {
                lines.Add(part);
                continue;
            }

            var start = 0;
            while (start < part.Length)
            {
                if (part.Length - start < width)
                {
                    lines.Add(part[start..]);
                    break;
                }

                var length = Math.Max(1, width);
                for (var end = start + length - 1; end >= start; end--)
                {
                    if (char.IsWhiteSpace(part[end]))
                    {
                        length = end - start + 1;
                        break;
                    }
                }

                lines.Add(part.Substring(start, length));
                start += length;
            }
        }

        return lines;
    }

    private sealed record HelpRow(string First, string Second);
}
