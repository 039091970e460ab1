using Cairn.Core.Runs;

namespace Cairn.Server.Access;

/// <summary>Whether a run is one the caller may see, for a stream of every run's changes: someone who may not see every
/// repository gets the changes of the runs they may see, each run's repository looked up once.</summary>
internal sealed class VisibleRuns(RepositoryVisibility visibility, IRunStore store)
{
    private readonly Dictionary<long, bool> known = [];

    public async ValueTask<bool> AllowsAsync(long runId, CancellationToken cancellationToken)
    {
        if (visibility.All)
        {
            return true;
        }

        if (!known.TryGetValue(runId, out var allowed))
        {
            allowed = visibility.Allows((await store.GetRunAsync(runId, cancellationToken))?.Repository);
            known[runId] = allowed;
        }

        return allowed;
    }
}
