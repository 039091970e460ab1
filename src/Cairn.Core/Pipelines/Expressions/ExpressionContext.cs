namespace Cairn.Core.Pipelines.Expressions;

/// <summary>The values an expression may read: <c>matrix.*</c>, <c>env.*</c> and <c>inputs.*</c>, and, in
/// <c>concurrency.group</c> only, <c>cairn.*</c>. Nothing else exists.</summary>
public sealed record ExpressionContext(
    IReadOnlyDictionary<string, string> Matrix,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> Inputs)
{
    /// <summary>The event's data (<c>ref</c>, <c>branch</c>, <c>tag</c>, <c>sha</c>, <c>event</c>, <c>repository</c>),
    /// for <c>concurrency.group</c>; empty everywhere else.</summary>
    public IReadOnlyDictionary<string, string> Cairn { get; init; } = new Dictionary<string, string>();

    public static ExpressionContext Empty { get; } = new(
        new Dictionary<string, string>(),
        new Dictionary<string, string>(),
        new Dictionary<string, string>());
}

/// <summary>What the status functions answer. For a job: its needs' outcomes; for a step: the earlier steps'.</summary>
/// <param name="AnyFailed">Something earlier failed (or, for a job, was skipped because of a failure).</param>
/// <param name="Cancelled">The run (or job) was cancelled.</param>
public sealed record StatusContext(bool AnyFailed, bool Cancelled)
{
    public static StatusContext AllSucceeded { get; } = new(false, false);

    /// <summary>What success() answers. By default nothing failed and nothing was cancelled; a job sets it to
    /// "every need succeeded", so that a need skipped by its own condition also holds back success().</summary>
    public bool Success { get; init; } = !AnyFailed && !Cancelled;
}

/// <summary>What a validated expression may name. Used by the pipeline validator.</summary>
/// <param name="MatrixAxes">Known matrix keys; null when the job has no matrix (then <c>matrix.*</c> is an error).</param>
/// <param name="Inputs">Declared manual inputs.</param>
/// <param name="AllowStatusFunctions">True only in <c>if:</c> conditions.</param>
/// <param name="AllowEnv">False in the pipeline's own <c>env:</c>, which is where env comes from.</param>
public sealed record ExpressionScope(
    IReadOnlySet<string>? MatrixAxes,
    IReadOnlySet<string> Inputs,
    bool AllowStatusFunctions,
    bool AllowEnv = true)
{
    /// <summary>Where the expression is (<c>concurrency.group</c>), when only <see cref="OnlyContexts"/> may be read there.</summary>
    public string? Place { get; init; }

    /// <summary>The contexts that may be read, when fewer than the usual ones; <c>cairn</c> is readable only when listed here.</summary>
    public IReadOnlyList<string>? OnlyContexts { get; init; }

    /// <summary>True only in a cache's <c>key</c> and <c>restore-keys</c>, where <c>hashFiles(…)</c> may be called: they
    /// are expanded on the worker, once the workspace is there to read.</summary>
    public bool AllowHashFiles { get; init; }

    /// <summary><c>concurrency.group</c>: inputs and the event's data, decided before any job exists.</summary>
    public static ExpressionScope ConcurrencyGroup(IReadOnlySet<string> inputs) =>
        new(null, inputs, AllowStatusFunctions: false, AllowEnv: false) { Place = "concurrency.group", OnlyContexts = ["inputs", "cairn"] };
}

/// <summary>A problem in an expression: offset into the text given, and a message.</summary>
public sealed record ExpressionError(int Offset, string Message);
