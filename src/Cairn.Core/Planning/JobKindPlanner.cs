using Cairn.Core.Engine;
using Cairn.Core.Agents;
using Cairn.Core.Pipelines;
using Cairn.Core.Triggers;

namespace Cairn.Core.Planning;

/// <summary>Plans what agent, approval and publish jobs add to a stored definition. Trigger data reaches an agent only
/// as <see cref="AgentJson.Inputs"/>: the prompt is kept as written and nothing of the trigger is expanded into it or
/// into the environment.</summary>
internal static class JobKindPlanner
{
    /// <summary>The name of an agent job's own step (step 0): <c>agent: PROFILE</c>.</summary>
    public static string AgentStepName(string profile) => $"agent: {profile}";

    /// <summary>A job's worker labels: agent and publish jobs add <see cref="WorkerLabels.Server"/>; an approval gate is
    /// never leased and has none.</summary>
    public static IReadOnlyList<string> Labels(JobKind kind, IReadOnlyList<string> runnerLabels) => kind switch
    {
        JobKind.Approval => [],
        JobKind.Agent or JobKind.Publish => [.. runnerLabels.Where(l => l != WorkerLabels.Server), WorkerLabels.Server],
        _ => runnerLabels,
    };

    public static JobDefinitionJson Complete(JobDefinitionJson definition, JobDefinition job, Pipeline pipeline, TriggerEvent trigger)
    {
        switch (job.Kind)
        {
            case JobKind.Agent when job.Agent is { } agent:
                var profile = pipeline.Agents[agent.Use];
                return definition with
                {
                    Kind = JobKind.Agent.ToWire(),
                    Agent = Agent(profile, agent, AgentLineage.Nearest(pipeline.Jobs, job.Key), trigger),
                    Steps = [new StepJson(AgentStepName(profile.Name), "", new Dictionary<string, string>(), null, null), .. definition.Steps],
                };
            case JobKind.Approval when job.Approval is { } approval:
                return definition with
                {
                    Kind = JobKind.Approval.ToWire(),
                    Approval = new ApprovalJson(
                        approval.Approvers, approval.Min, (long)(approval.Timeout ?? PublishDefaults.ApprovalTimeout).TotalMilliseconds),
                };
            case JobKind.Publish when job.Publish is { } publish:
                return definition with
                {
                    Kind = JobKind.Publish.ToWire(),
                    Publish = new PublishJson(
                        publish.From ?? AgentLineage.Nearest(pipeline.Jobs, job.Key)
                            ?? throw new InvalidOperationException($"publish job '{job.Key}' has no agent job to publish"),
                        publish.PullRequest.Draft,
                        publish.PullRequest.Title,
                        publish.PullRequest.Base,
                        publish.ProtectedPaths ?? PublishDefaults.ProtectedPaths),
                };
            default:
                return definition;
        }
    }

    private static AgentJson Agent(AgentProfile profile, AgentJobDefinition agent, string? startFrom, TriggerEvent trigger) => new(
        profile.Name,
        profile.Cli.ToWire(),
        profile.Model,
        profile.Role,
        profile.AllowedTools,
        profile.DisallowedTools,
        profile.Limits.MaxTurns,
        profile.Limits.BudgetUsd,
        Milliseconds(profile.Limits.Timeout),
        Milliseconds(profile.Limits.IdleTimeout),
        agent.Prompt,
        [.. agent.Inputs.Select(name => new KeyValuePair<string, string>(name, Input(name, trigger)))],
        startFrom);

    /// <summary>The value of one <c>trigger.*</c> input: from the work item for a tracker's run, from the pull request
    /// (and its review) for a forge's; empty when the trigger does not carry it.</summary>
    public static string Input(string name, TriggerEvent trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (trigger.WorkItem is { } item)
        {
            return name switch
            {
                "trigger.title" => item.Title,
                "trigger.description" => item.Description ?? "",
                "trigger.id" => item.Id,
                "trigger.url" => item.Url ?? "",
                _ => trigger.Review?.Body ?? "",
            };
        }

        return name switch
        {
            "trigger.title" => trigger.PullRequest?.Title ?? "",
            "trigger.id" => trigger.PullRequest is { } pr ? pr.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
            "trigger.comment" => trigger.Review?.Body ?? "",
            _ => "",
        };
    }

    private static long? Milliseconds(TimeSpan? value) => value is { } v ? (long)v.TotalMilliseconds : null;
}
