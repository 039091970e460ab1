using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads a job's <c>steps:</c>: each a mapping with a non-empty <c>run</c>.</summary>
internal sealed class StepReader(ValueReader reader, TemplateChecker expressions)
{
    private Diagnostics Diagnostics => reader.Diagnostics;

    public List<StepDefinition> Read(string job, YamlEntry? entry, YamlNode jobNode, ExpressionScope scope)
    {
        var steps = new List<StepDefinition>();
        if (entry is null || entry.Value is YamlScalar { IsNull: true } || entry.Value is YamlSequence { Items.Count: 0 })
        {
            Diagnostics.Error(entry?.Key ?? jobNode, $"job '{job}' has no steps; add steps: [{{ run: ./build.sh }}]");
            return steps;
        }

        if (entry.Value is not YamlSequence sequence)
        {
            Diagnostics.Error(entry.Value, "'steps' must be a list of steps, like - run: ./build.sh");
            return steps;
        }

        return ReadAll(job, sequence, scope);
    }

    /// <summary>Each step of a list (also an agent's <c>verify:</c>), skipping the ones in error.</summary>
    public List<StepDefinition> ReadAll(string job, YamlSequence sequence, ExpressionScope scope)
    {
        var steps = new List<StepDefinition>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (ReadStep(job, i + 1, sequence.Items[i], scope) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private StepDefinition? ReadStep(string job, int number, YamlNode node, ExpressionScope scope)
    {
        var where = $"in step {number} of job '{job}'";
        if (reader.Mapping(node, $"step {number} of job '{job}' must be a mapping with 'run', like - run: ./build.sh") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Step, where);
        var run = ReadRun(job, number, mapping, keys);
        string? name = null;
        if (keys.TryGetValue("name", out var nameEntry))
        {
            name = reader.Text(nameEntry.Value, "'name' must be a string");
            if (nameEntry.Value is YamlScalar nameScalar)
            {
                expressions.CheckTemplate(nameScalar, scope with { AllowStatusFunctions = false });
            }
        }

        var timeout = keys.TryGetValue("timeout", out var t) ? reader.Duration(t.Value, "timeout") : null;
        var env = keys.TryGetValue("env", out var e)
            ? reader.Env(e.Value, where, v => expressions.CheckTemplate(v, scope with { AllowStatusFunctions = false }))
            : [];
        var condition = keys.TryGetValue("if", out var c) ? Condition(c.Value, scope) : null;
        return run is null ? null : new StepDefinition(name ?? FirstLine(run), run, timeout, env, condition, Diagnostics.At(mapping));
    }

    private string? ReadRun(string job, int number, YamlMapping mapping, Dictionary<string, YamlEntry> keys)
    {
        if (!keys.TryGetValue("run", out var entry))
        {
            Diagnostics.Error(mapping, $"step {number} of job '{job}' has no 'run'; give the script to run, like run: ./build.sh");
            return null;
        }

        var run = reader.Text(entry.Value, "'run' must be a script (a string)");
        if (entry.Value is YamlScalar scalar && string.IsNullOrWhiteSpace(run))
        {
            Diagnostics.Error(scalar, $"'run' of step {number} in job '{job}' is empty");
            return null;
        }

        if (entry.Value is YamlScalar script)
        {
            expressions.CheckRun(script);
        }

        return run;
    }

    internal string? Condition(YamlNode node, ExpressionScope scope)
    {
        var text = reader.Text(node, "'if' must be a condition, like ${{ failure() }}");
        if (text is null || node is not YamlScalar scalar)
        {
            return null;
        }

        return expressions.CheckCondition(scalar, scope with { AllowStatusFunctions = true });
    }

    private static string FirstLine(string script) =>
        script.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? script.Trim();
}
