using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Checks that each publish job has an agent job to publish: the one <c>from</c> names among its ancestors
/// (through <c>needs</c>), or without <c>from</c> exactly one latest agent ancestor.</summary>
internal sealed class PublishValidator(Diagnostics diagnostics)
{
    public void Check(IReadOnlyList<JobDefinition> jobs, IReadOnlyDictionary<string, (YamlScalar Key, YamlScalar? From)> publishes)
    {
        var byKey = jobs.GroupBy(j => j.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (job, (key, from)) in publishes)
        {
            var ancestors = AgentLineage.Ancestors(jobs, job);
            var agentAncestors = jobs.Where(j => j.Kind == JobKind.Agent && ancestors.Contains(j.Key)).Select(j => j.Key).ToList();
            if (from is not null)
            {
                CheckFrom(job, from, byKey, ancestors, agentAncestors);
                continue;
            }

            var latest = AgentLineage.LatestAgentAncestors(jobs, job);
            if (latest.Count == 0)
            {
                diagnostics.Error(key, $"publish job '{job}' has no agent job before it; add the agent job whose branch it publishes to its 'needs'");
            }
            else if (latest.Count > 1)
            {
                diagnostics.Error(key, $"publish job '{job}' follows several agent jobs ({string.Join(", ", latest)}); say which one's branch it publishes with 'from:'");
            }
        }
    }

    private void CheckFrom(string job, YamlScalar from, Dictionary<string, JobDefinition> byKey, HashSet<string> ancestors, List<string> agentAncestors)
    {
        var name = from.Value;
        if (!byKey.TryGetValue(name, out var target))
        {
            var agents = byKey.Values.Where(j => j.Kind == JobKind.Agent).Select(j => j.Key).ToList();
            diagnostics.Error(from, $"'from' of job '{job}' names '{name}', which is not a job{ValueReader.DidYouMean(name, agents)}");
        }
        else if (target.Kind != JobKind.Agent)
        {
            diagnostics.Error(from, $"'from' of job '{job}' names '{name}', which is not an agent job{ValueReader.DidYouMean(name, agentAncestors)}");
        }
        else if (!ancestors.Contains(name))
        {
            diagnostics.Error(from, $"'from' of job '{job}' names '{name}', which it does not follow; add '{name}' to its 'needs' (directly or through another job)");
        }
    }
}
