using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;
using Cairn.Core.Runs;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads one job under <c>jobs:</c>. The graph between jobs is checked later, by <see cref="GraphValidator"/>.</summary>
internal sealed class JobReader(ValueReader reader, TemplateChecker expressions, IReadOnlySet<string> inputs)
{
    private readonly StepReader _steps = new(reader, expressions);
    private readonly MatrixReader _matrix = new(reader);
    private readonly ServiceReader _services = new(reader, expressions);

    private Diagnostics Diagnostics => reader.Diagnostics;

    /// <summary>The job, and for each name in <c>needs</c> the node that named it.</summary>
    public (JobDefinition Job, List<YamlScalar> Needs) Read(YamlEntry entry)
    {
        var job = entry.Key.Value;
        var where = $"in job '{job}'";
        var keys = entry.Value switch
        {
            YamlMapping mapping => reader.Keys(mapping, PipelineSyntax.Job, where),
            YamlScalar { IsNull: true } => [],
            _ => Invalid(entry),
        };

        var matrix = keys.TryGetValue("matrix", out var m) ? _matrix.Read(job, m) : null;
        var axes = m is null ? null : MatrixReader.WrittenKeysOf(m.Value);
        if (matrix is not null)
        {
            axes!.UnionWith(MatrixReader.KeysOf(matrix));
        }

        var scope = new ExpressionScope(axes, inputs, false);
        var needs = keys.TryGetValue("needs", out var n)
            ? reader.TextList(n.Value, "'needs' must be a job name or a list of job names") ?? []
            : [];
        var env = keys.TryGetValue("env", out var e) ? reader.Env(e.Value, where, v => expressions.CheckTemplate(v, scope)) : [];
        var definition = new JobDefinition(
            job,
            [.. needs.Select(s => s.Value)],
            Template(keys, "runner", scope),
            Template(keys, "image", scope),
            keys.TryGetValue("timeout", out var t) ? reader.Duration(t.Value, "timeout") : null,
            matrix,
            env,
            keys.TryGetValue("secrets", out var s) ? Secrets(s.Value) : [],
            keys.TryGetValue("retry", out var r) ? Retry(job, r.Value) : null,
            keys.TryGetValue("if", out var c) ? _steps.Condition(c.Value, scope) : null,
            entry.Value is YamlMapping or YamlScalar { IsNull: true } ? _steps.Read(job, keys.GetValueOrDefault("steps"), entry.Key, scope) : [],
            Diagnostics.At(entry.Key))
        {
            Services = keys.TryGetValue("services", out var sv) ? _services.Read(job, sv.Value, scope) : [],
            Priority = keys.TryGetValue("priority", out var p) ? reader.Priority(p.Value) : null,
        };
        return (definition, needs);
    }

    private Dictionary<string, YamlEntry> Invalid(YamlEntry entry)
    {
        Diagnostics.Error(entry.Value, $"job '{entry.Key.Value}' must be a mapping of job settings, with at least 'steps'");
        return [];
    }

    private string? Template(Dictionary<string, YamlEntry> keys, string key, ExpressionScope scope)
    {
        if (!keys.TryGetValue(key, out var entry))
        {
            return null;
        }

        var text = reader.Text(entry.Value, $"'{key}' must be a string");
        if (entry.Value is YamlScalar scalar)
        {
            expressions.CheckTemplate(scalar, scope);
        }

        return text;
    }

    private List<string> Secrets(YamlNode node)
    {
        var names = reader.TextList(node, "'secrets' must be a list of secret names, like [NUGET_TOKEN]") ?? [];
        return [.. names.Where(n => reader.VariableName(n, "secret")).Select(n => n.Value).Distinct(StringComparer.Ordinal)];
    }

    private RetryDefinition? Retry(string job, YamlNode node)
    {
        if (reader.Mapping(node, "'retry' must be a mapping like { max: 2, on: [infra, timeout] }") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Retry, $"in 'retry' of job '{job}'");
        var max = keys.TryGetValue("max", out var m) ? reader.Integer(m.Value, "max", 0, 10) : 1;
        var on = keys.TryGetValue("on", out var o) ? FailureClasses(o.Value) : [FailureClass.Infra];
        var backoff = keys.TryGetValue("backoff", out var b) ? reader.Duration(b.Value, "backoff") : null;
        return new RetryDefinition(max ?? 1, on, backoff);
    }

    private List<FailureClass> FailureClasses(YamlNode node)
    {
        var classes = new List<FailureClass>();
        foreach (var name in reader.TextList(node, "'retry.on' must be a list of failure classes, like [infra, timeout]") ?? [])
        {
            if (name.Value is "config" or "cancelled")
            {
                Diagnostics.Error(name, name.Value == "config" ? "config failures are never retried" : "cancelled jobs are never retried");
            }
            else if (PipelineSyntax.RetryableClasses.Contains(name.Value) && StatusNames.TryParseFailureClass(name.Value, out var failureClass))
            {
                classes.Add(failureClass);
            }
            else
            {
                Diagnostics.Error(name, $"unknown failure class '{name.Value}' in 'retry.on'{ValueReader.DidYouMean(name.Value, PipelineSyntax.RetryableClasses, listAll: true)}");
            }
        }

        return classes;
    }
}
