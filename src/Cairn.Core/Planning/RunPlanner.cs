using Cairn.Core.Artifacts;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Planning;

/// <summary>What a caller may add to a plan: overrides from the command line and a job filter.</summary>
/// <param name="EnvOverrides">Set on every job and step, over whatever the pipeline says.</param>
/// <param name="OnlyJob">A job key or an expanded job name: plan that job and what it needs, nothing else.</param>
/// <param name="Runners">The runner aliases, already loaded: a job's labels are its alias's (none with the built-in default).</param>
public sealed record PlanOptions(IReadOnlyDictionary<string, string>? EnvOverrides = null, string? OnlyJob = null, RunnerCatalog? Runners = null)
{
    public static PlanOptions Default { get; } = new();
}

/// <summary>A plan, or the reasons there is none.</summary>
public sealed record PlanResult(RunPlan? Plan, IReadOnlyList<string> Errors)
{
    /// <summary>The pipeline's <c>concurrency.group</c>, expanded for this event; null when it has none (or the group
    /// expands to nothing). Groups are per repository: the caller scopes the name by the run's repository. A pull request
    /// from a fork gets its group under <c>fork-pr-&lt;number&gt;/</c>, so it can only meet runs of that pull request.</summary>
    public string? ConcurrencyGroup { get; init; }

    /// <summary>Whether a new run of <see cref="ConcurrencyGroup"/> cancels the one in progress instead of waiting.</summary>
    public bool CancelInProgress { get; init; }
}

/// <summary>Pure: a valid pipeline and a trigger become a run plan with its jobs and their DAG. No I/O.</summary>
public static class RunPlanner
{
    public static PlanResult Plan(Pipeline pipeline, TriggerEvent trigger, PlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(trigger);
        options ??= PlanOptions.Default;

        var errors = new List<string>();
        var inputs = ResolveInputs(pipeline, trigger, errors);
        if (errors.Count > 0)
        {
            return new PlanResult(null, errors);
        }

        var overrides = options.EnvOverrides ?? new Dictionary<string, string>();
        var pipelineContext = new ExpressionContext(Empty, Empty, inputs);
        var pipelineEnv = Layer(pipeline.Env.ToDictionary(e => e.Key, e => ExpressionEngine.ExpandTemplate(e.Value, pipelineContext), StringComparer.Ordinal), overrides);

        var expanded = new List<(JobDefinition Job, string Name, IReadOnlyDictionary<string, string> Matrix)>();
        var namesByKey = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var job in pipeline.Jobs)
        {
            var names = new List<string>();
            if (job.Matrix is null)
            {
                expanded.Add((job, job.Key, Empty));
                names.Add(job.Key);
            }
            else
            {
                foreach (var combination in MatrixExpander.Expand(job.Matrix))
                {
                    var name = combination.JobName(job.Key);
                    expanded.Add((job, name, combination.ToDictionary()));
                    names.Add(name);
                }
            }

            namesByKey[job.Key] = names;
        }

        var planned = new List<PlannedJob>(expanded.Count);
        foreach (var (job, name, matrix) in expanded)
        {
            var needs = job.Needs.SelectMany(need => namesByKey[need]).ToList();
            var definition = JobKindPlanner.Complete(Define(job, matrix, pipelineEnv, inputs, overrides), job, pipeline, trigger);
            var labels = JobKindPlanner.Labels(job.Kind, (options.Runners ?? RunnerCatalog.BuiltIn).LabelsFor(definition.Runner));
            planned.Add(new PlannedJob(name, job.Key, needs, labels, definition.Serialize())
            {
                Priority = job.Priority ?? pipeline.Priority ?? JobPriority.Normal,
                StartsQueued = needs.Count == 0 && definition.If is null && job.Kind != JobKind.Approval,
            });
        }

        if (options.OnlyJob is { } only)
        {
            var selected = SelectWithNeeds(planned, only, namesByKey);
            if (selected is null)
            {
                var known = string.Join(", ", pipeline.Jobs.Select(j => j.Key));
                return new PlanResult(null, [$"there is no job '{only}' (jobs: {known})"]);
            }

            planned = selected;
        }

        var group = pipeline.Concurrency is { } concurrency ? ConcurrencyGroup(concurrency, trigger, inputs) : null;
        return new PlanResult(new RunPlan(pipeline.Name, trigger with { Inputs = inputs }, planned), [])
        {
            ConcurrencyGroup = group,
            CancelInProgress = group is not null && pipeline.Concurrency!.CancelInProgress,
        };
    }

    /// <summary>What <c>cairn.*</c> reads in <c>concurrency.group</c>: the event, as the CAIRN_* variables carry it.</summary>
    public static IReadOnlyDictionary<string, string> CairnContext(TriggerEvent trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ref"] = trigger.Ref ?? "",
            ["branch"] = trigger.Branch ?? "",
            ["tag"] = trigger.Tag ?? "",
            ["sha"] = trigger.Sha ?? "",
            ["event"] = trigger.EventName,
            ["repository"] = trigger.Repository ?? "",
        };
    }

    private static string? ConcurrencyGroup(ConcurrencyDefinition concurrency, TriggerEvent trigger, IReadOnlyDictionary<string, string> inputs)
    {
        var context = new ExpressionContext(Empty, Empty, inputs) { Cairn = CairnContext(trigger) };
        var group = ExpressionEngine.ExpandTemplate(concurrency.Group, context).Trim();
        if (group.Length == 0)
        {
            return null;
        }

        // A fork's .cairn.yml is written by whoever opened the pull request: whatever group it names, it must never
        // reach (and, with cancel-in-progress, cancel) the base repository's own runs.
        return trigger.IsFork ? $"{ForkGroupPrefix(trigger.PullRequest!.Number)}{group}" : group;
    }

    /// <summary>What a fork's pull request's concurrency groups start with.</summary>
    public static string ForkGroupPrefix(int pullRequest) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"fork-pr-{pullRequest}/");

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static JobDefinitionJson Define(
        JobDefinition job,
        IReadOnlyDictionary<string, string> matrix,
        IReadOnlyDictionary<string, string> pipelineEnv,
        IReadOnlyDictionary<string, string> inputs,
        IReadOnlyDictionary<string, string> overrides)
    {
        var context = new ExpressionContext(matrix, pipelineEnv, inputs);
        var jobEnv = new Dictionary<string, string>(pipelineEnv, StringComparer.Ordinal);
        foreach (var (key, value) in job.Env)
        {
            jobEnv[key] = ExpressionEngine.ExpandTemplate(value, context);
        }

        jobEnv = Layer(jobEnv, overrides);
        var stepContext = context with { Env = jobEnv };
        var steps = (job.Agent?.Verify ?? job.Steps).Select(step => new StepJson(
            ExpressionEngine.ExpandTemplate(step.Name, stepContext),
            step.Run,
            Layer(step.Env.ToDictionary(e => e.Key, e => ExpressionEngine.ExpandTemplate(e.Value, stepContext), StringComparer.Ordinal), overrides, onlyExisting: true),
            Milliseconds(step.Timeout),
            step.If)).ToList();

        return new JobDefinitionJson(
            job.Key,
            matrix,
            jobEnv,
            inputs,
            job.Image is null ? null : ExpressionEngine.ExpandTemplate(job.Image, context),
            job.Runner is null ? null : ExpressionEngine.ExpandTemplate(job.Runner, context),
            Milliseconds(job.Timeout),
            job.If,
            job.Secrets,
            job.Retry is { } retry ? new RetryJson(retry.Max, retry.On.Select(c => c.ToWire()).ToList(), Milliseconds(retry.Backoff)) : null,
            steps)
        {
            Services = [.. job.Services.Select(service => new ServiceJson(
                service.Name,
                ExpressionEngine.ExpandTemplate(service.Image, stepContext),
                service.Env.ToDictionary(e => e.Key, e => ExpressionEngine.ExpandTemplate(e.Value, stepContext), StringComparer.Ordinal),
                service.Command))],
            Artifacts = job.Artifacts?.ToJson(),
            Caches = [.. job.Caches.Select(cache => cache.ToJson())],
        };
    }

    private static Dictionary<string, string> ResolveInputs(Pipeline pipeline, TriggerEvent trigger, List<string> errors)
    {
        var declared = pipeline.On.Manual?.Inputs ?? new Dictionary<string, ManualInput>();
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in trigger.Inputs)
        {
            if (!declared.ContainsKey(name))
            {
                errors.Add(declared.Count == 0
                    ? $"unknown input '{name}': the pipeline declares no inputs under on.manual.inputs"
                    : $"unknown input '{name}' (declared: {string.Join(", ", declared.Keys)})");
                continue;
            }

            inputs[name] = value;
        }

        foreach (var (name, input) in declared)
        {
            if (inputs.ContainsKey(name))
            {
                continue;
            }

            if (input.Default is { } fallback)
            {
                inputs[name] = fallback;
            }
            else if (input.Required)
            {
                errors.Add($"input '{name}' is required: give it with --input {name}=VALUE");
            }
            else
            {
                inputs[name] = "";
            }
        }

        return inputs;
    }

    private static List<PlannedJob>? SelectWithNeeds(List<PlannedJob> planned, string only, Dictionary<string, List<string>> namesByKey)
    {
        var byName = planned.ToDictionary(j => j.Name, StringComparer.Ordinal);
        IEnumerable<string> roots = namesByKey.TryGetValue(only, out var names) ? names
            : byName.ContainsKey(only) ? [only]
            : [];
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var name))
        {
            if (keep.Add(name))
            {
                foreach (var need in byName[name].Needs)
                {
                    pending.Push(need);
                }
            }
        }

        return keep.Count == 0 ? null : planned.Where(j => keep.Contains(j.Name)).ToList();
    }

    private static Dictionary<string, string> Layer(Dictionary<string, string> env, IReadOnlyDictionary<string, string> overrides, bool onlyExisting = false)
    {
        foreach (var (key, value) in overrides)
        {
            if (!onlyExisting || env.ContainsKey(key))
            {
                env[key] = value;
            }
        }

        return env;
    }

    private static long? Milliseconds(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : null;
}
