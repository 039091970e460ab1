using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Chooses the executor for a job (from its image and runner alias), or says why none fits.</summary>
public interface IExecutorResolver
{
    ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition);
}

/// <summary>An executor, or a <c>config</c> error a person can act on (unknown runner, no engine for an image).</summary>
public sealed record ExecutorChoice(IExecutor? Executor, string? Error)
{
    /// <summary>CPU and memory the job's runner grants it; null means no limit.</summary>
    public ResourceLimits? Resources { get; init; }

    /// <summary>The image to run in when the job names none (the runner's default image).</summary>
    public string? Image { get; init; }

    /// <summary>The user the job's runner alias runs steps as; null for the executor's default.</summary>
    public string? User { get; init; }

    /// <summary>Variables of the worker's environment the job's runner alias passes to its steps.</summary>
    public IReadOnlyList<string> PassEnv { get; init; } = [];

    /// <summary>The pod settings of the job's runner alias when it runs on the kubernetes executor.</summary>
    public Runners.KubernetesRunnerOptions? Kubernetes { get; init; }

    /// <summary>Something the job's log should say before its steps (a runner name this host does not know, say).</summary>
    public string? Warning { get; init; }

    public static ExecutorChoice Of(IExecutor executor) => new(executor, null);

    public static ExecutorChoice Fail(string error) => new(null, error);
}

/// <summary>Every job on one executor.</summary>
public sealed class SingleExecutorResolver(IExecutor executor) : IExecutorResolver
{
    public ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition) => ExecutorChoice.Of(executor);
}

/// <summary>Every job in one existing directory, left as it is: a local run works in the pipeline's own folder.</summary>
public sealed class FixedWorkspaceProvider(string path) : IWorkspaceProvider
{
    public Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken) => Task.FromResult(path);

    public Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Secrets given up front, as <c>cairn run --secret</c> does.</summary>
public sealed class InMemorySecretSource(IReadOnlyDictionary<string, string> secrets) : ISecretSource
{
    public static InMemorySecretSource Empty { get; } = new(new Dictionary<string, string>());

    public Task<string?> GetAsync(RunRecord run, string name, CancellationToken cancellationToken) =>
        Task.FromResult(secrets.TryGetValue(name, out var value) ? value : null);
}
