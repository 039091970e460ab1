using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Runners;

/// <summary>Where a job runs by its runner alias: the executor's name, the alias (none for the built-in default),
/// the image it runs in, or the <c>config</c> error that stops it.</summary>
public sealed record RunnerDecision(string? Executor, RunnerAlias? Alias, string? Image, string? Error);

/// <summary>Resolves a job's <c>runner:</c> through a <see cref="RunnerCatalog"/> to one of the executors this
/// worker has, with the alias's CPU and memory limits and default image.</summary>
/// <param name="executors">The executors this process can use, by name (<see cref="ExecutorNames"/>).</param>
public sealed class RunnerExecutorResolver(RunnerCatalog catalog, IReadOnlyDictionary<string, IExecutor> executors) : IExecutorResolver
{
    /// <summary>Why an executor this process lacks is missing, said as the end of a sentence
    /// ("no container engine is reachable (DOCKER_HOST=…)").</summary>
    public IReadOnlyDictionary<string, string> Unavailable { get; init; } = new Dictionary<string, string>();

    /// <summary>Every job on this executor, whatever its runner says; the alias still gives limits and must exist.</summary>
    public string? ForcedExecutor { get; init; }

    /// <summary>Run a job whose <c>runner:</c> names no alias by the built-in rule, with a warning, instead of
    /// failing it: <c>cairn run</c> without a runner file, so that a pipeline written for a server runs on a laptop.</summary>
    public bool ToleratesUnknownRunners { get; init; }

    public ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition)
    {
        ArgumentNullException.ThrowIfNull(job);
        var decision = Decide(job.Name, definition);
        if (decision.Error is { } error)
        {
            return ExecutorChoice.Fail(error);
        }

        if (!executors.TryGetValue(decision.Executor!, out var executor))
        {
            return ExecutorChoice.Fail(Missing(job.Name, decision));
        }

        return ExecutorChoice.Of(executor) with
        {
            Warning = definition.Runner is { } named && decision.Alias is null
                ? $"warning: runner '{named}' is not defined here (no --runners file); running on the {decision.Executor} executor"
                : null,
            Resources = decision.Alias?.Resources,
            User = decision.Alias?.User,
            PassEnv = decision.Alias?.PassEnv ?? [],
            Kubernetes = decision.Executor == ExecutorNames.Kubernetes ? decision.Alias?.Kubernetes : null,
            Image = definition.Image is null && decision.Executor != ExecutorNames.Shell ? decision.Image : null,
        };
    }

    /// <summary>What <see cref="Resolve"/> would pick, without needing the executor: lets a caller learn up front
    /// whether any job needs a container engine.</summary>
    public RunnerDecision Decide(string jobName, JobDefinitionJson definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        RunnerAlias? alias = null;
        if (definition.Runner is { } runner)
        {
            alias = catalog.Find(runner);
            if (alias is null && !ToleratesUnknownRunners)
            {
                return new RunnerDecision(null, null, null, catalog.UnknownRunner(runner));
            }
        }
        else
        {
            alias = catalog.AliasFor(null);
        }

        var image = definition.Image ?? alias?.Image;
        var executor = ForcedExecutor
            ?? alias?.Executor
            ?? (definition.Image is null ? ExecutorNames.Shell : ExecutorNames.Container);
        var error = Check(jobName, definition, alias, executor, image);
        return new RunnerDecision(error is null ? executor : null, alias, image, error);
    }

    private string? Check(string jobName, JobDefinitionJson definition, RunnerAlias? alias, string executor, string? image)
    {
        if (definition.Services.Count > 0 && executor == ExecutorNames.Shell)
        {
            var why = ForcedExecutor is not null ? "this run puts every job on the shell executor"
                : alias is not null ? $"its runner '{alias.Name}' uses shell"
                : "without an image it runs on the shell executor";
            return $"job '{jobName}' has services, which need the container executor; {why}";
        }

        if (executor == ExecutorNames.Container && image is null)
        {
            return alias is not null
                ? $"job '{jobName}' runs in a container but has no image, and its runner '{alias.Name}' names none: give the job an 'image:'"
                : $"job '{jobName}' runs in a container but has no image: give it an 'image:'";
        }

        if (executor == ExecutorNames.Kubernetes && image is null)
        {
            return alias is not null
                ? $"job '{jobName}' runs in a kubernetes pod but has no image, and its runner '{alias.Name}' names none: give the job an 'image:'"
                : $"job '{jobName}' runs in a kubernetes pod but has no image: give it an 'image:'";
        }

        return null;
    }

    private string Missing(string jobName, RunnerDecision decision)
    {
        var executor = decision.Executor!;
        var reason = Unavailable.TryGetValue(executor, out var given) ? given
            : executor == ExecutorNames.Kubernetes ? "this process was started without a Kubernetes cluster"
            : $"the {executor} executor is not available here";
        if (executor == ExecutorNames.Container && decision.Image is { } image)
        {
            return $"job '{jobName}' needs image '{image}' but {reason}";
        }

        return decision.Alias is { } alias
            ? $"job '{jobName}' runs on runner '{alias.Name}', which uses the {executor} executor, but {reason}"
            : $"job '{jobName}' needs the {executor} executor but {reason}";
    }
}
