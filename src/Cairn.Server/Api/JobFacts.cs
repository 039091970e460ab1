using System.Text.Json;
using Cairn.Core.Planning;
using Cairn.Core.Runs;

namespace Cairn.Server.Api;

/// <summary>What the job's stored definition tells a reader beyond the jobs row.</summary>
internal static class JobFacts
{
    /// <summary>The runner alias the job asked for; null when it named none (the runner file's default takes it) or its
    /// definition no longer reads.</summary>
    public static string? RunnerOf(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            return JobDefinitionJson.Deserialize(job.Definition).Runner;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The job's kind (<c>steps</c>, <c>agent</c>, <c>approval</c> or <c>publish</c>); <c>steps</c> when its
    /// definition no longer reads.</summary>
    public static string KindOf(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            return JobDefinitionJson.Deserialize(job.Definition).Kind;
        }
        catch (JsonException)
        {
            return "steps";
        }
    }
}
