using System.Text.RegularExpressions;
using Cairn.Core.Pipelines;
using Cairn.Core.Pipelines.Grammar;
using Cairn.Core.Pipelines.Validation;

namespace Cairn.Core.Runners;

/// <summary>A runner catalog, or every reason the file could not be one.</summary>
public sealed record RunnerCatalogLoadResult(RunnerCatalog? Catalog, IReadOnlyList<PipelineError> Errors)
{
    public bool IsValid => Catalog is not null && Errors.Count == 0;
}

/// <summary>Reads a runner file (the aliases <c>--runners FILE</c> gives), reporting every error at once with its place.</summary>
public static partial class RunnerCatalogLoader
{
    /// <summary>Reads and validates the file at <paramref name="path"/>; errors name it as given.</summary>
    public static RunnerCatalogLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            return new RunnerCatalogLoadResult(null, [new PipelineError(new SourceLocation(path, 1, 1), $"cannot read the runner file: {reason}")]);
        }

        return Load(text, path);
    }

    /// <summary>Parses and validates YAML text. <paramref name="fileName"/> is what error locations print.</summary>
    public static RunnerCatalogLoadResult Load(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var diagnostics = new Diagnostics(fileName, yaml);
        var read = YamlTreeReader.Read(yaml);
        foreach (var (line, column, message) in read.Errors)
        {
            diagnostics.Error(diagnostics.At(line, column), message);
        }

        RunnerCatalog? catalog = null;
        if (read.Root is YamlMapping root)
        {
            catalog = Read(root, new ValueReader(diagnostics));
        }
        else if (read.Errors.Count == 0)
        {
            diagnostics.Error(read.Root ?? new YamlScalar("", ScalarStyle.Plain, 1, 1, 1, 1),
                "a runner file must be a mapping with 'runners' (and optionally 'default')");
        }

        return diagnostics.HasErrors
            ? new RunnerCatalogLoadResult(null, diagnostics.Errors)
            : new RunnerCatalogLoadResult(catalog, []);
    }

    private static RunnerCatalog Read(YamlMapping root, ValueReader reader)
    {
        var keys = reader.Keys(root, RunnerSyntax.Root, "at the top level of the runner file");
        var aliases = new List<RunnerAlias>();
        if (!keys.TryGetValue("runners", out var runners))
        {
            reader.Diagnostics.Error(root, "the runner file has no 'runners'; add runners: { small: { executor: container, cpu: 1, memory: 512Mi } }");
        }
        else if (runners.Value is YamlScalar { IsNull: true } or YamlMapping { Entries.Count: 0 })
        {
            reader.Diagnostics.Error(runners.Key, "'runners' is empty; define at least one runner");
        }
        else if (reader.Mapping(runners.Value, "'runners' must be a mapping of runner names to runners") is { } mapping)
        {
            foreach (var entry in reader.Distinct(mapping, (key, first) => $"runner '{key.Value}' is defined twice (first at {first.Line}:{first.Column})"))
            {
                if (ReadAlias(entry, reader) is { } alias)
                {
                    aliases.Add(alias);
                }
            }
        }

        string? fallback = null;
        if (keys.TryGetValue("default", out var d) && reader.Text(d.Value, "'default' must be the name of a runner") is { } name)
        {
            fallback = name;

            // Names of runners with errors of their own count as defined: the default naming one is not a second mistake.
            var defined = runners?.Value is YamlMapping m ? m.Entries.Select(e => e.Key.Value).Distinct(StringComparer.Ordinal).ToList() : [];
            if (runners is not null && !defined.Contains(name))
            {
                reader.Diagnostics.Error(d.Value, $"default runner '{name}' is not defined{ValueReader.DidYouMean(name, defined)}"
                    + (defined.Count > 0 ? $" (runners: {string.Join(", ", defined)})" : ""));
            }
        }

        return new RunnerCatalog(aliases, fallback);
    }

    private static RunnerAlias? ReadAlias(YamlEntry entry, ValueReader reader)
    {
        var name = entry.Key.Value;
        var diagnostics = reader.Diagnostics;
        var before = diagnostics.ErrorCount;
        if (!AliasName().IsMatch(name))
        {
            diagnostics.Error(entry.Key, $"'{name}' is not a valid runner name; use letters, digits, _, . and -, starting with a letter or _");
        }

        if (reader.Mapping(entry.Value, $"runner '{name}' must be a mapping like {{ executor: container, cpu: 1, memory: 512Mi }}") is not { } mapping)
        {
            return null;
        }

        var where = $"in runner '{name}'";
        var keys = reader.Keys(mapping, RunnerSyntax.Alias, where);
        var executor = Executor(keys, mapping, name, reader);
        var cpu = keys.TryGetValue("cpu", out var c) ? Cpu(c.Value, reader) : null;
        var memory = keys.TryGetValue("memory", out var m) ? Memory(m.Value, reader) : null;
        var labels = keys.TryGetValue("labels", out var l) ? Labels(l.Value, reader) : [];
        var image = keys.TryGetValue("image", out var i) ? reader.Text(i.Value, "'image' must be a string") : null;
        var user = keys.TryGetValue("user", out var u) ? User(u.Value, reader) : null;
        var passEnv = keys.TryGetValue("pass-env", out var p) ? PassEnv(p.Value, reader) : [];
        var kubernetes = executor is null ? null : ReadKubernetes(keys, mapping, name, executor, reader);
        return diagnostics.ErrorCount > before || executor is null
            ? null
            : new RunnerAlias(name, executor, cpu, memory, labels, image) { User = user, PassEnv = passEnv, Kubernetes = kubernetes };
    }

    private static string? Executor(Dictionary<string, YamlEntry> keys, YamlMapping mapping, string name, ValueReader reader)
    {
        if (!keys.TryGetValue("executor", out var entry))
        {
            reader.Diagnostics.Error(mapping, $"runner '{name}' has no 'executor'; give one of: {string.Join(", ", ExecutorNames.All)}");
            return null;
        }

        var text = reader.Text(entry.Value, "'executor' must be one of: " + string.Join(", ", ExecutorNames.All));
        if (text is null || ExecutorNames.All.Contains(text))
        {
            return text;
        }

        reader.Diagnostics.Error(entry.Value, $"unknown executor '{text}'{ValueReader.DidYouMean(text, ExecutorNames.All, listAll: true)}");
        return null;
    }

    private static double? Cpu(YamlNode node, ValueReader reader)
    {
        var text = reader.Text(node, "'cpu' must be a number of cores, like 2, 0.5 or 500m");
        if (text is null)
        {
            return null;
        }

        if (ResourceQuantity.TryParseCpu(text, out var cores))
        {
            return cores;
        }

        reader.Diagnostics.Error(node, $"cpu '{text}' is not a number of cores: use 2, 0.5 or 500m");
        return null;
    }

    private static long? Memory(YamlNode node, ValueReader reader)
    {
        var text = reader.Text(node, "'memory' must be a quantity, like 512Mi, 4Gi or 1G");
        if (text is null)
        {
            return null;
        }

        if (ResourceQuantity.TryParseMemory(text, out var bytes))
        {
            return bytes;
        }

        reader.Diagnostics.Error(node, $"memory '{text}' is not a quantity: use 512Mi, 4Gi or 1G");
        return null;
    }

    private static List<string> Labels(YamlNode node, ValueReader reader)
    {
        var labels = new List<string>();
        foreach (var label in reader.TextList(node, "'labels' must be a list of labels, like [linux, big]") ?? [])
        {
            if (WorkerLabels.IsValid(label.Value))
            {
                labels.Add(label.Value);
            }
            else
            {
                reader.Diagnostics.Error(label, $"'{label.Value}' is not a valid label; {WorkerLabels.Rule}");
            }
        }

        return [.. labels.Distinct(StringComparer.Ordinal)];
    }

    private static string? User(YamlNode node, ValueReader reader)
    {
        var text = reader.Text(node, "'user' must be a user name or a numeric uid");
        if (text is null || UserName().IsMatch(text))
        {
            return text;
        }

        reader.Diagnostics.Error(node, $"'{text}' is not a user name or a numeric uid");
        return null;
    }

    private static List<string> PassEnv(YamlNode node, ValueReader reader)
    {
        var names = new List<string>();
        foreach (var name in reader.TextList(node, "'pass-env' must be a list of variable names, like [HTTP_PROXY, NO_PROXY]") ?? [])
        {
            if (Execution.StepEnvironmentPolicy.IsVariableName(name.Value))
            {
                names.Add(name.Value);
            }
            else
            {
                reader.Diagnostics.Error(name, $"'{name.Value}' is not a variable name; use letters, digits and _, not starting with a digit");
            }
        }

        return [.. names.Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex("^([a-z_][a-z0-9_-]{0,31}[$]?|[0-9]{1,10})$")]
    private static partial Regex UserName();

    [GeneratedRegex(RunnerSyntax.AliasNamePattern)]
    private static partial Regex AliasName();
}
