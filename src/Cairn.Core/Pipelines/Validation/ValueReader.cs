using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads typed values out of YAML nodes, reporting a wrong shape as an error and carrying on.</summary>
internal sealed partial class ValueReader(Diagnostics diagnostics)
{
    public Diagnostics Diagnostics => diagnostics;

    /// <summary>The known keys of an object, first occurrence of each; unknown and repeated keys are reported.</summary>
    public Dictionary<string, YamlEntry> Keys(YamlMapping mapping, SyntaxKey syntax, string where)
    {
        var known = new Dictionary<string, YamlEntry>(StringComparer.Ordinal);
        foreach (var entry in Distinct(mapping, (key, first) => $"'{key.Value}' is given twice {where} (first at {first.Line}:{first.Column})"))
        {
            var name = entry.Key.Value;
            if (syntax.Children.Any(c => c.Name == name))
            {
                known[name] = entry;
            }
            else
            {
                var hint = Suggestions.Closest(name, syntax.ChildNames) is null
                    ? DidYouMean(name, syntax.ListedChildNames, listAll: true)
                    : DidYouMean(name, syntax.ChildNames);
                diagnostics.Error(entry.Key, $"unknown key '{name}' {where}{hint}");
            }
        }

        return known;
    }

    /// <summary>Entries without repeats; each repeat is reported with the message <paramref name="duplicate"/> (repeat key, first key).</summary>
    public List<YamlEntry> Distinct(YamlMapping mapping, Func<YamlScalar, YamlScalar, string> duplicate)
    {
        var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        var distinct = new List<YamlEntry>();
        foreach (var entry in mapping.Entries)
        {
            if (seen.TryGetValue(entry.Key.Value, out var first))
            {
                diagnostics.Error(entry.Key, duplicate(entry.Key, first));
                continue;
            }

            seen[entry.Key.Value] = entry.Key;
            distinct.Add(entry);
        }

        return distinct;
    }

    /// <summary>"; did you mean 'x'?" when a candidate is close, else (optionally) the list of what is allowed.</summary>
    public static string DidYouMean(string name, IReadOnlyList<string> candidates, bool listAll = false)
    {
        var closest = Suggestions.Closest(name, candidates);
        if (closest is not null)
        {
            return $"; did you mean '{closest}'?";
        }

        return listAll && candidates.Count > 0 ? $"; expected one of: {string.Join(", ", candidates)}" : "";
    }

    public YamlMapping? Mapping(YamlNode node, string message)
    {
        if (node is YamlMapping mapping)
        {
            return mapping;
        }

        diagnostics.Error(node, message);
        return null;
    }

    /// <summary>A scalar's text (numbers and booleans as written); null for YAML null or a wrong shape (reported).</summary>
    public string? Text(YamlNode node, string message)
    {
        if (node is YamlScalar scalar)
        {
            return scalar.IsNull ? null : scalar.Value;
        }

        diagnostics.Error(node, message);
        return null;
    }

    /// <summary>One scalar or a list of scalars; null when the shape is wrong (reported).</summary>
    public List<YamlScalar>? TextList(YamlNode node, string message)
    {
        switch (node)
        {
            case YamlScalar { IsNull: true }:
                return [];
            case YamlScalar scalar:
                return [scalar];
            case YamlSequence sequence when sequence.Items.All(i => i is YamlScalar { IsNull: false }):
                return [.. sequence.Items.Cast<YamlScalar>()];
            default:
                diagnostics.Error(node is YamlSequence s ? s.Items.First(i => i is not YamlScalar { IsNull: false }) : node, message);
                return null;
        }
    }

    public TimeSpan? Duration(YamlNode node, string key)
    {
        var text = Text(node, $"'{key}' must be a duration like 90s, 20m or 1h30m");
        if (text is null)
        {
            return null;
        }

        if (!Pipelines.Duration.TryParse(text, out var value, out var error))
        {
            diagnostics.Error(node, $"'{key}': {error ?? $"'{text}' is not a duration like 90s, 20m or 1h30m"}");
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            diagnostics.Error(node, $"'{key}' must be longer than zero");
            return null;
        }

        return value;
    }

    public bool? Boolean(YamlNode node, string key)
    {
        var text = Text(node, $"'{key}' must be true or false");
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        diagnostics.Error(node, $"'{key}' must be true or false, not '{text}'");
        return null;
    }

    public int? Integer(YamlNode node, string key, int min, int max)
    {
        var message = $"'{key}' must be a whole number from {min} to {max}";
        var text = Text(node, message);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            diagnostics.Error(node, $"{message}, not '{text}'");
            return null;
        }

        return value;
    }

    /// <summary><c>priority:</c>; null when not given or wrong (reported, with the closest name).</summary>
    public JobPriority? Priority(YamlNode node)
    {
        var text = Text(node, $"'priority' must be one of: {string.Join(", ", JobPriorities.Names)}");
        if (text is null)
        {
            if (node is YamlScalar { IsNull: true })
            {
                diagnostics.Error(node, $"'priority' is empty; give one of: {string.Join(", ", JobPriorities.Names)}");
            }

            return null;
        }

        if (JobPriorities.TryParse(text, out var priority))
        {
            return priority;
        }

        diagnostics.Error(node, $"unknown priority '{text}'{DidYouMean(text, JobPriorities.Names, listAll: true)}");
        return null;
    }

    /// <summary>An <c>env:</c> mapping; <paramref name="checkValue"/> sees each scalar value (for its expressions).</summary>
    public Dictionary<string, string> Env(YamlNode node, string where, Action<YamlScalar> checkValue)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is YamlScalar { IsNull: true } || Mapping(node, $"'env' {where} must be a mapping of variable names to values") is not { } mapping)
        {
            return env;
        }

        foreach (var entry in Distinct(mapping, (key, first) => $"variable '{key.Value}' is set twice in 'env' {where} (first at {first.Line}:{first.Column})"))
        {
            var name = entry.Key.Value;
            VariableName(entry.Key, "environment variable");
            if (entry.Value is not YamlScalar scalar)
            {
                diagnostics.Error(entry.Value, $"the value of '{name}' must be a string, number or boolean");
                continue;
            }

            checkValue(scalar);
            env[name] = scalar.IsNull ? "" : scalar.Value;
        }

        return env;
    }

    public bool VariableName(YamlScalar name, string what)
    {
        if (VariableNameRegex().IsMatch(name.Value))
        {
            return true;
        }

        diagnostics.Error(name, $"'{name.Value}' is not a valid {what} name; use letters, digits and _, not starting with a digit");
        return false;
    }

    public bool JobLikeName(YamlScalar name, string what)
    {
        if (JobNameRegex().IsMatch(name.Value))
        {
            return true;
        }

        diagnostics.Error(name, $"'{name.Value}' is not a valid {what} name; use letters, digits, _ and -, starting with a letter or _");
        return false;
    }

    [GeneratedRegex(PipelineSyntax.VariableNamePattern)]
    private static partial Regex VariableNameRegex();

    [GeneratedRegex(PipelineSyntax.JobNamePattern)]
    private static partial Regex JobNameRegex();
}
