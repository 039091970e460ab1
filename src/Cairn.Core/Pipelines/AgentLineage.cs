namespace Cairn.Core.Pipelines;

/// <summary>Which agent jobs come before a job through <c>needs</c>: what a publish job publishes and what branch an
/// agent job starts from. Keys are job keys; agent jobs have no matrix, so a key is also the planned job's name.</summary>
public static class AgentLineage
{
    /// <summary>Every job <paramref name="key"/> needs, directly or through others (cycles tolerated).</summary>
    public static HashSet<string> Ancestors(IReadOnlyList<JobDefinition> jobs, string key)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var byKey = new Dictionary<string, JobDefinition>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            byKey.TryAdd(job.Key, job);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(byKey.TryGetValue(key, out var start) ? start.Needs : []);
        while (pending.TryPop(out var next))
        {
            if (next != key && seen.Add(next) && byKey.TryGetValue(next, out var job))
            {
                foreach (var need in job.Needs)
                {
                    pending.Push(need);
                }
            }
        }

        return seen;
    }

    /// <summary>The agent jobs among <paramref name="key"/>'s ancestors that are not an ancestor of another of them, in
    /// file order: one means the job follows a single line of agent work.</summary>
    public static IReadOnlyList<string> LatestAgentAncestors(IReadOnlyList<JobDefinition> jobs, string key)
    {
        var ancestors = Ancestors(jobs, key);
        var agents = jobs.Where(j => j.Kind == JobKind.Agent && ancestors.Contains(j.Key)).Select(j => j.Key).ToList();
        var followed = agents.SelectMany(a => Ancestors(jobs, a)).ToHashSet(StringComparer.Ordinal);
        return [.. agents.Where(a => !followed.Contains(a))];
    }

    /// <summary>The agent job <paramref name="key"/> builds on: the single latest agent ancestor, else null.</summary>
    public static string? Nearest(IReadOnlyList<JobDefinition> jobs, string key) =>
        LatestAgentAncestors(jobs, key) is [var only] ? only : null;
}
