using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Cairn.Cli.Tests.Deploy;

/// <summary>deploy/compose/compose.yml and its .env.example, read as compose reads them: each service's environment,
/// command and volumes, every <c>${VARIABLE}</c> the file interpolates, and the variables the example defines.</summary>
internal sealed partial class ComposeFile
{
    private ComposeFile(string text, YamlMappingNode services, IReadOnlyDictionary<string, string> example)
    {
        Text = text;
        Services = services;
        Example = example;
    }

    public string Text { get; }

    public YamlMappingNode Services { get; }

    /// <summary>NAME → value of each line of .env.example that sets one.</summary>
    public IReadOnlyDictionary<string, string> Example { get; }

    public static string Folder => Path.Combine(BuildLayout.RepositoryRoot, "deploy", "compose");

    public static ComposeFile Load()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "compose.yml"));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return new ComposeFile(text, (YamlMappingNode)root["services"], ReadEnvFile(File.ReadAllLines(Path.Combine(Folder, ".env.example"))));
    }

    /// <summary>The NAME=value lines of an env file (comments and blank lines skipped).</summary>
    public static Dictionary<string, string> ReadEnvFile(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p.Length == 2 ? p[1].Trim() : "", StringComparer.Ordinal);

    public YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    /// <summary>A service's environment, as a mapping or as NAME=value items.</summary>
    public IReadOnlyDictionary<string, string> Environment(string service)
    {
        if (!Service(service).Children.TryGetValue("environment", out var node))
        {
            return new Dictionary<string, string>();
        }

        return node switch
        {
            YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "", StringComparer.Ordinal),
            YamlSequenceNode list => list.Children.Select(i => ((YamlScalarNode)i).Value!.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal),
            _ => throw new InvalidDataException($"{service}'s environment is neither a mapping nor a list"),
        };
    }

    /// <summary>A list a service holds under <paramref name="key"/> (command, volumes, profiles…), as strings.</summary>
    public IReadOnlyList<string> List(string service, string key) =>
        Service(service).Children.TryGetValue(key, out var node) && node is YamlSequenceNode list
            ? [.. list.Children.Select(i => ((YamlScalarNode)i).Value ?? "")]
            : [];

    public IEnumerable<string> ServiceNames => Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    /// <summary>Every variable the file interpolates: <c>${NAME}</c>, <c>${NAME:-default}</c>, <c>${NAME:?message}</c>
    /// (a <c>$$</c> is a literal dollar, not a variable).</summary>
    public IReadOnlySet<string> Interpolated => Interpolations(Text);

    public static IReadOnlySet<string> Interpolations(string text) =>
        Variable().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<!\$)\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}")]
    private static partial Regex Variable();
}
