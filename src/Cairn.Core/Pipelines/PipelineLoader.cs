using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;
using Cairn.Core.Pipelines.Validation;

namespace Cairn.Core.Pipelines;

/// <summary>Reads <c>.cairn.yml</c> into a <see cref="Pipeline"/>, reporting every error at once with its place.</summary>
public static class PipelineLoader
{
    public const string DefaultFileName = ".cairn.yml";

    public const string DefaultName = "pipeline";

    /// <summary>The largest pipeline file read unless a setting says otherwise (1 MiB): a pipeline is a page of YAML,
    /// and a file that is not costs memory and time before a single error can be said.</summary>
    public const long DefaultMaxBytes = 1L << 20;

    /// <summary>What is said of a pipeline file over the limit; <paramref name="size"/> is null when only "more" is known.</summary>
    public static string TooLarge(string fileName, long? size, long limit) => size is { } known
        ? $"{fileName} is {ByteSize.Approximate(known)}, over the limit of {ByteSize.Format(limit)}"
        : $"{fileName} is over the limit of {ByteSize.Format(limit)}";

    /// <summary>Parses and validates YAML text. <paramref name="fileName"/> is what error locations print.</summary>
    public static PipelineLoadResult Load(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var diagnostics = new Diagnostics(fileName, yaml);
        var read = YamlTreeReader.Read(yaml);
        foreach (var (line, column, message) in read.Errors)
        {
            diagnostics.Error(diagnostics.At(line, column), message);
        }

        var pipeline = read.Root switch
        {
            _ when read.Errors.Count > 0 && read.Root is null => null,
            null or YamlScalar { IsNull: true } => Fail(diagnostics, 1, 1, "the file is empty; a pipeline needs at least a 'jobs' mapping"),
            YamlMapping mapping => Read(mapping, diagnostics),
            var other => Fail(diagnostics, other.Line, other.Column,
                "the top level must be a mapping with 'jobs' (and optionally 'name', 'on' and 'env')"),
        };

        return diagnostics.HasErrors
            ? new PipelineLoadResult(null, diagnostics.Errors, diagnostics.Warnings)
            : new PipelineLoadResult(pipeline, [], diagnostics.Warnings);
    }

    private static Pipeline? Fail(Diagnostics diagnostics, int line, int column, string message)
    {
        diagnostics.Error(diagnostics.At(line, column), message);
        return null;
    }

    private static Pipeline Read(YamlMapping root, Diagnostics diagnostics)
    {
        var reader = new ValueReader(diagnostics);
        var expressions = new TemplateChecker(diagnostics);
        var keys = reader.Keys(root, PipelineSyntax.Root, "at the top level");

        var name = keys.TryGetValue("name", out var n) ? reader.Text(n.Value, "'name' must be a string") : null;
        var triggers = new TriggerReader(reader).Read(keys.GetValueOrDefault("on")?.Value);
        var inputs = (triggers.Manual?.Inputs.Keys ?? []).ToHashSet(StringComparer.Ordinal);
        var topScope = new ExpressionScope(null, inputs, AllowStatusFunctions: false, AllowEnv: false);
        var concurrency = keys.TryGetValue("concurrency", out var c) ? new ConcurrencyReader(reader, expressions).Read(c.Value, inputs) : null;
        var env = keys.TryGetValue("env", out var e) ? reader.Env(e.Value, "at the top level", v => expressions.CheckTemplate(v, topScope)) : [];
        var agents = keys.TryGetValue("agents", out var a) ? new AgentReader(reader).Read(a.Value) : [];
        var jobReader = new JobReader(reader, expressions, inputs, agents);
        var jobs = ReadJobs(keys.GetValueOrDefault("jobs"), root, reader, jobReader);
        new GraphValidator(diagnostics).Check(jobs);
        new PublishValidator(diagnostics).Check([.. jobs.Select(j => j.Job)], jobReader.Publishes);
        return new Pipeline(string.IsNullOrWhiteSpace(name) ? DefaultName : name, triggers, env, [.. jobs.Select(j => j.Job)], diagnostics.File)
        {
            Agents = agents,
            Concurrency = concurrency,
            Priority = keys.TryGetValue("priority", out var p) ? reader.Priority(p.Value) : null,
        };
    }

    private static List<(JobDefinition Job, List<YamlScalar> Needs)> ReadJobs(YamlEntry? entry, YamlMapping root, ValueReader reader, JobReader jobReader)
    {
        var jobs = new List<(JobDefinition, List<YamlScalar>)>();
        if (entry is null)
        {
            reader.Diagnostics.Error(root, "the pipeline has no 'jobs'; add jobs: { build: { steps: [{ run: ./build.sh }] } }");
            return jobs;
        }

        if (entry.Value is YamlScalar { IsNull: true } || entry.Value is YamlMapping { Entries.Count: 0 })
        {
            reader.Diagnostics.Error(entry.Key, "'jobs' is empty; a pipeline needs at least one job");
            return jobs;
        }

        if (reader.Mapping(entry.Value, "'jobs' must be a mapping of job names to jobs") is not { } mapping)
        {
            return jobs;
        }

        var distinct = reader.Distinct(mapping, (key, first) => $"job '{key.Value}' is defined twice (first at {first.Line}:{first.Column})");
        foreach (var job in distinct)
        {
            reader.JobLikeName(job.Key, "job");
            jobs.Add(jobReader.Read(job));
        }

        return jobs;
    }
}
