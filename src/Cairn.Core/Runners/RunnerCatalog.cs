using Cairn.Core.Execution;

namespace Cairn.Core.Runners;

/// <summary>A named kind of runner an administrator offers: which executor runs its jobs, with what limits,
/// on workers with which labels, and in which image when a job names none.</summary>
public sealed record RunnerAlias(
    string Name,
    string Executor,
    double? Cpu,
    long? MemoryBytes,
    IReadOnlyList<string> Labels,
    string? Image)
{
    /// <summary>The user its shell steps run as when the worker runs as root (<c>user:</c>); null for the worker's default.</summary>
    public string? User { get; init; }

    /// <summary>Names of the worker's own environment variables its jobs' steps get (<c>pass-env:</c>).</summary>
    public IReadOnlyList<string> PassEnv { get; init; } = [];

    /// <summary>The pod settings of an alias with <c>executor: kubernetes</c>; null for every other executor.</summary>
    public KubernetesRunnerOptions? Kubernetes { get; init; }

    /// <summary>The alias's CPU and memory as limits, or null when it sets neither.</summary>
    public ResourceLimits? Resources => Cpu is null && MemoryBytes is null ? null : new ResourceLimits(Cpu, MemoryBytes);
}

/// <summary>The runner aliases of a worker or server, in file order, and the one a job without <c>runner:</c> gets.
/// Without a runner file it is <see cref="BuiltIn"/>: a job with an image runs in a container, one without on the host.</summary>
public sealed record RunnerCatalog(IReadOnlyList<RunnerAlias> Aliases, string? DefaultAlias)
{
    /// <summary>No aliases; the executor follows from whether the job has an image.</summary>
    public static RunnerCatalog BuiltIn { get; } = new([], null);

    public IEnumerable<string> Names => Aliases.Select(a => a.Name);

    public RunnerAlias? Find(string name) => Aliases.FirstOrDefault(a => a.Name == name);

    /// <summary>The alias a job's <c>runner:</c> (or its absence) stands for; null for the built-in default or an unknown name.</summary>
    public RunnerAlias? AliasFor(string? runner) => runner is null ? (DefaultAlias is { } d ? Find(d) : null) : Find(runner);

    /// <summary>The labels a worker needs to lease a job with this <c>runner:</c>; none for the built-in default or an unknown name.</summary>
    public IReadOnlyList<string> LabelsFor(string? runner) => AliasFor(runner)?.Labels ?? [];

    /// <summary>The error an unknown <c>runner:</c> fails its job with.</summary>
    public string UnknownRunner(string name) => Aliases.Count == 0
        ? $"unknown runner '{name}' (no runners are configured)"
        : $"unknown runner '{name}' (known: {string.Join(", ", Names)})";
}

/// <summary>The executors a runner alias may name.</summary>
public static class ExecutorNames
{
    public const string Shell = "shell";
    public const string Container = "container";
    public const string Kubernetes = "kubernetes";

    public static IReadOnlyList<string> All { get; } = [Shell, Container, Kubernetes];
}
