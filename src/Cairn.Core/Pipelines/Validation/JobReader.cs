using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;
using Cairn.Core.Runs;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads one job under <c>jobs:</c>. The graph between jobs is checked later, by <see cref="GraphValidator"/>.</summary>
internal sealed class JobReader(
    ValueReader reader, TemplateChecker expressions, IReadOnlySet<string> inputs, IReadOnlyDictionary<string, AgentProfile> agents)
{
    private static readonly IReadOnlyList<(string Key, JobKind Kind)> Kinds =
        [("steps", JobKind.Steps), ("agent", JobKind.Agent), ("approval", JobKind.Approval), ("publish", JobKind.Publish)];

    private readonly StepReader _steps = new(reader, expressions);
    private readonly MatrixReader _matrix = new(reader);
    private readonly ServiceReader _services = new(reader, expressions);
    private readonly JobFilesReader _files = new(reader, expressions);

    private Diagnostics Diagnostics => reader.Diagnostics;

    /// <summary>Publish jobs read so far: the <c>publish</c> key and the <c>from</c> value when written, by job key.</summary>
    public Dictionary<string, (YamlScalar Key, YamlScalar? From)> Publishes { get; } = new(StringComparer.Ordinal);

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
        var kind = Kind(job, keys);
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
            kind == JobKind.Steps && entry.Value is YamlMapping or YamlScalar { IsNull: true }
                ? _steps.Read(job, keys.GetValueOrDefault("steps"), entry.Key, scope)
                : [],
            Diagnostics.At(entry.Key))
        {
            Services = keys.TryGetValue("services", out var sv) ? _services.Read(job, sv.Value, scope) : [],
            Priority = keys.TryGetValue("priority", out var p) ? reader.Priority(p.Value) : null,
            Kind = kind,
            Artifacts = kind == JobKind.Steps && keys.TryGetValue("artifacts", out var a) ? _files.Artifacts(job, a.Value) : null,
            Caches = kind == JobKind.Steps && keys.TryGetValue("cache", out var ca)
                ? _files.Caches(job, ca.Value, scope with { AllowHashFiles = true })
                : [],
        };
        return (kind == JobKind.Steps ? definition : WithKind(definition, keys, scope), needs);
    }

    /// <summary>The kind the job's first of steps, agent, approval and publish says; every further one is an error.</summary>
    private JobKind Kind(string job, Dictionary<string, YamlEntry> keys)
    {
        var given = Kinds.Where(k => keys.ContainsKey(k.Key))
            .Select(k => (k.Key, k.Kind, Node: keys[k.Key].Key))
            .OrderBy(k => k.Node.Line).ThenBy(k => k.Node.Column)
            .ToList();
        if (given.Count == 0)
        {
            return JobKind.Steps;
        }

        foreach (var extra in given.Skip(1))
        {
            Diagnostics.Error(extra.Node,
                $"job '{job}' has both '{given[0].Key}' and '{extra.Key}'; a job has exactly one of steps, agent, approval and publish");
        }

        var kind = given[0].Kind;
        foreach (var (key, reason) in Refused(kind))
        {
            if (keys.TryGetValue(key, out var refused))
            {
                Diagnostics.Error(refused.Key, $"{given[0].Key} job '{job}' cannot have '{key}': {reason}");
            }
        }

        return kind;
    }

    private static IReadOnlyList<(string Key, string Reason)> Refused(JobKind kind) => kind switch
    {
        JobKind.Agent =>
        [
            ("image", "the agent runs on the server in its own worktree, not in a container image"),
            ("services", "the agent runs on the server, without sidecar containers"),
            ("matrix", "an agent job runs once, on one branch"),
            ("artifacts", "only a job with steps keeps artifacts; add a job that needs this one, with steps, to keep files"),
            ("cache", "only a job with steps restores and saves caches"),
        ],
        JobKind.Approval =>
        [
            ("runner", "a gate is decided by people and runs nowhere"),
            ("image", "a gate runs nothing"),
            ("services", "a gate runs nothing"),
            ("matrix", "a gate is one decision"),
            ("retry", "a gate is decided by people, not retried"),
            ("artifacts", "a gate runs nothing, so it makes no files to keep"),
            ("cache", "a gate runs nothing, so it has no folders to cache"),
        ],
        JobKind.Publish =>
        [
            ("runner", "publishing runs on the server, which holds the repository's token"),
            ("image", "publishing runs on the server, not in a container image"),
            ("services", "publishing runs on the server, without sidecar containers"),
            ("matrix", "a publish job runs once"),
            ("artifacts", "publishing runs on the server and makes no files to keep; only a job with steps keeps artifacts"),
            ("cache", "publishing runs on the server, without caches; only a job with steps restores and saves caches"),
        ],
        _ => [],
    };

    private JobDefinition WithKind(JobDefinition definition, Dictionary<string, YamlEntry> keys, ExpressionScope scope)
    {
        var kinds = new JobKindReader(reader, _steps, agents);
        switch (definition.Kind)
        {
            case JobKind.Agent:
                return definition with { Agent = kinds.Agent(definition.Key, keys["agent"], scope) };
            case JobKind.Approval:
                return definition with { Approval = kinds.Approval(definition.Key, keys["approval"]) };
            default:
                var (publish, from) = kinds.Publish(definition.Key, keys["publish"]);
                Publishes[definition.Key] = (keys["publish"].Key, from);
                return definition with { Publish = publish };
        }
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
            if (name.Value is "config" or "cancelled" or "agent-policy")
            {
                Diagnostics.Error(name, name.Value switch
                {
                    "config" => "config failures are never retried",
                    "cancelled" => "cancelled jobs are never retried",
                    _ => "agent-policy failures are never retried: a person must look",
                });
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
