using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Secret values by name, for the jobs that declare them.</summary>
public interface ISecretSource
{
    /// <summary>The value of the secret for the run's job, or null when none is defined. A source may record the read.</summary>
    Task<string?> GetAsync(RunRecord run, string name, CancellationToken cancellationToken);

    /// <summary>The value of the secret for <paramref name="job"/> of the run, or null when none is defined; a source
    /// that records reads says which job read it. By default, what the job-less overload answers.</summary>
    Task<string?> GetAsync(RunRecord run, JobRecord job, string name, CancellationToken cancellationToken) =>
        GetAsync(run, name, cancellationToken);

    /// <summary>Why this run gets no secrets at all (a pull request from a fork, say), or null when it may have them.</summary>
    Task<string?> RefusalAsync(RunRecord run, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>Values that are not the job's secrets but must never show in its log (the repository's own tokens).</summary>
    Task<IReadOnlyCollection<string>> AlsoMaskAsync(RunRecord run, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<string>>([]);
}
