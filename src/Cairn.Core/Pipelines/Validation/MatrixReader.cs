using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads a job's <c>matrix:</c> and checks what it expands to: no empty axes, include/exclude naming real axes,
/// at most <see cref="MatrixExpander.MaxCombinations"/> combinations, and no two with the same name.</summary>
internal sealed class MatrixReader(ValueReader reader)
{
    /// <summary>Beyond this many raw combinations we count instead of expanding; the limit is far below it anyway.</summary>
    private const double ExpandCeiling = 100_000;

    private Diagnostics Diagnostics => reader.Diagnostics;

    public MatrixDefinition? Read(string job, YamlEntry entry)
    {
        if (reader.Mapping(entry.Value, $"'matrix' of '{job}' must be a mapping of axes to lists of values") is not { } mapping)
        {
            return null;
        }

        var axes = new List<MatrixAxis>();
        var axisNodes = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        var axisEntries = 0;
        List<(YamlMapping Node, Dictionary<string, string> Values)> include = [];
        List<(YamlMapping Node, Dictionary<string, string> Values)> exclude = [];
        foreach (var item in reader.Distinct(mapping, (key, first) => $"'{key.Value}' is given twice in the matrix of '{job}' (first at {first.Line}:{first.Column})"))
        {
            switch (item.Key.Value)
            {
                case "include":
                    include = ReadEntries(item.Value, "include");
                    break;
                case "exclude":
                    exclude = ReadEntries(item.Value, "exclude");
                    break;
                default:
                    axisEntries++;
                    if (ReadAxis(item) is { } axis)
                    {
                        axes.Add(axis);
                        axisNodes[axis.Name] = item.Key;
                    }

                    break;
            }
        }

        if (mapping.Entries.Count == 0 || (axisEntries == 0 && include.Count == 0))
        {
            Diagnostics.Error(entry.Key, $"the matrix of '{job}' has no axes; give at least one axis (os: [debian, alpine]) or an 'include' entry");
            return null;
        }

        CheckExcludeKeys(job, exclude, axisNodes);
        var matrix = new MatrixDefinition(axes, [.. include.Select(i => i.Values)], [.. exclude.Select(e => e.Values)]);
        CheckExpansion(job, entry.Key, matrix, exclude);
        return matrix;
    }

    /// <summary>The names a job's expressions may read as <c>matrix.x</c>: the axes and any key an include adds.</summary>
    public static HashSet<string> KeysOf(MatrixDefinition matrix) =>
        [.. matrix.Axes.Select(a => a.Name).Concat(matrix.Include.SelectMany(i => i.Keys))];

    /// <summary>The axis names as written, valid or not (a bad axis has its own error already): expressions naming
    /// them are not reported as well.</summary>
    public static HashSet<string> WrittenKeysOf(YamlNode node) => node is YamlMapping mapping
        ? [.. mapping.Entries.Select(e => e.Key.Value).Where(k => k is not ("include" or "exclude"))]
        : [];

    private MatrixAxis? ReadAxis(YamlEntry item)
    {
        var name = item.Key.Value;
        if (!reader.JobLikeName(item.Key, "matrix axis"))
        {
            return null;
        }

        if (item.Value is YamlScalar { IsNull: true } || item.Value is YamlSequence { Items.Count: 0 })
        {
            Diagnostics.Error(item.Key, $"matrix axis '{name}' has no values");
            return null;
        }

        if (item.Value is not YamlSequence sequence)
        {
            Diagnostics.Error(item.Value, $"matrix axis '{name}' must be a list of values, like [debian, alpine]");
            return null;
        }

        var values = new List<string>();
        foreach (var value in sequence.Items)
        {
            if (value is YamlScalar scalar)
            {
                values.Add(scalar.Value);
            }
            else
            {
                Diagnostics.Error(value, $"values of matrix axis '{name}' must be strings, numbers or booleans");
            }
        }

        return new MatrixAxis(name, values);
    }

    private List<(YamlMapping, Dictionary<string, string>)> ReadEntries(YamlNode node, string key)
    {
        var message = $"'{key}' must be a list of mappings like [{{ os: debian, dotnet: \"9\" }}]";
        var entries = new List<(YamlMapping, Dictionary<string, string>)>();
        if (node is not YamlSequence sequence)
        {
            Diagnostics.Error(node, message);
            return entries;
        }

        foreach (var item in sequence.Items)
        {
            if (reader.Mapping(item, message) is not { } mapping)
            {
                continue;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in reader.Distinct(mapping, (k, first) => $"'{k.Value}' is given twice in this '{key}' entry (first at {first.Line}:{first.Column})"))
            {
                if (pair.Value is YamlScalar scalar)
                {
                    values[pair.Key.Value] = scalar.Value;
                }
                else
                {
                    Diagnostics.Error(pair.Value, $"values in '{key}' entries must be strings, numbers or booleans");
                }
            }

            entries.Add((mapping, values));
        }

        return entries;
    }

    private void CheckExcludeKeys(string job, List<(YamlMapping Node, Dictionary<string, string> Values)> exclude, Dictionary<string, YamlScalar> axes)
    {
        foreach (var (node, _) in exclude)
        {
            foreach (var pair in node.Entries.Where(p => !axes.ContainsKey(p.Key.Value)))
            {
                Diagnostics.Error(pair.Key,
                    $"'exclude' names '{pair.Key.Value}', which is not an axis of the matrix of '{job}'{ValueReader.DidYouMean(pair.Key.Value, [.. axes.Keys])}");
            }
        }
    }

    private void CheckExpansion(string job, YamlScalar at, MatrixDefinition matrix, List<(YamlMapping Node, Dictionary<string, string> Values)> exclude)
    {
        var raw = matrix.Axes.Aggregate(1.0, (product, axis) => product * Math.Max(axis.Values.Count, 1));
        if (matrix.Axes.Count > 0 && raw > ExpandCeiling)
        {
            Diagnostics.Error(at, $"the matrix of '{job}' has {raw:0} combinations; the limit is {MatrixExpander.MaxCombinations}");
            return;
        }

        var combinations = MatrixExpander.Combine(matrix);
        if (combinations.Count > MatrixExpander.MaxCombinations)
        {
            Diagnostics.Error(at, $"the matrix of '{job}' has {combinations.Count} combinations; the limit is {MatrixExpander.MaxCombinations}");
        }

        var product = MatrixExpander.Product(matrix.Axes);
        foreach (var (node, values) in exclude)
        {
            if (values.Count > 0 && !product.Any(c => MatrixExpander.Matches(c, values)))
            {
                Diagnostics.Warning(node, $"this 'exclude' entry matches no combination of the matrix of '{job}'");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in combinations.Select(c => c.JobName(job)).Where(n => !names.Add(n)).Distinct())
        {
            Diagnostics.Error(at, $"the matrix of '{job}' produces '{name}' more than once; remove the repeated value or include entry");
        }
    }
}
