using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cairn.Cli.Commands;

/// <summary>Arguments and options that several commands share, with errors said in Cairn's words.</summary>
internal static class CommonArguments
{
    /// <summary>PATH: a .cairn.yml file or a directory holding one (default: the current directory).</summary>
    public static Argument<string> PipelinePath()
    {
        var path = new Argument<string>("path")
        {
            Description = "A .cairn.yml file, or a directory holding one",
            DefaultValueFactory = _ => ".",
        };

        // An option the command does not know lands here as a path; say what it is.
        path.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: ['-', _, ..] value }] && !Path.Exists(value))
            {
                result.AddError($"unknown option '{value}' (see --help)");
            }
        });
        return path;
    }

    /// <summary>A whole number at least <paramref name="minimum"/> (and at most <paramref name="maximum"/>).</summary>
    public static Option<int> Count(
        string name, string? alias, string description, int minimum, Func<int> fallback, int maximum = int.MaxValue) =>
        new(name, alias is null ? [] : [alias])
        {
            Description = description,
            DefaultValueFactory = _ => fallback(),
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
                {
                    return value;
                }

                result.AddError(maximum == int.MaxValue
                    ? $"{name} takes a whole number of at least {minimum}, not '{text}'"
                    : $"{name} takes a whole number from {minimum} to {maximum}, not '{text}'");
                return minimum;
            },
        };
}
