using System.Globalization;
using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Engine;

/// <summary>Turns a stored job into what an executor runs: the environment with the CAIRN_* variables and the
/// job's secrets, and the steps. Event data travels only as environment variables, never in script text.</summary>
public static class JobSpecBuilder
{
    /// <summary>The spec, with what the executor choice adds: the runner's limits and pod settings, and its image when the
    /// job names none; with the lease it runs under and the names of its secrets.</summary>
    public static JobSpec Build(
        RunRecord run,
        JobRecord job,
        int attempt,
        JobDefinitionJson definition,
        string workspace,
        IReadOnlyDictionary<string, string> secrets,
        ExecutorChoice choice,
        Guid? leaseId = null)
    {
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(secrets);

        var env = new Dictionary<string, string>(definition.Env, StringComparer.Ordinal);
        foreach (var (name, value) in CairnVariables(run, job, attempt, definition, workspace))
        {
            env[name] = value;
        }

        foreach (var (name, value) in secrets)
        {
            env[name] = value;
        }

        var steps = definition.Steps
            .Select((step, index) => new StepSpec(index, step.Name, step.Run, step.Env, Span(step.TimeoutMs), step.If))
            .ToList();

        return new JobSpec(
            run.Id,
            job.Id,
            job.Name,
            attempt,
            workspace,
            definition.Image ?? choice.Image,
            definition.Runner,
            env,
            steps,
            Span(definition.TimeoutMs),
            new ExpressionContext(definition.Matrix, definition.Env, definition.Inputs))
        {
            Services = [.. definition.Services.Select(s => new ServiceSpec(s.Name, s.Image, s.Env, s.Command))],
            Resources = choice.Resources,
            User = choice.User,
            PassEnv = choice.PassEnv,
            Untrusted = run.Trigger?.IsFork == true,
            Kubernetes = choice.Kubernetes,
            LeaseId = leaseId,
            SecretNames = [.. secrets.Keys.Order(StringComparer.Ordinal)],
            Agent = definition.Agent is { } agent ? Agent(run, job, agent) : null,
            Publish = definition.Publish,
            Repository = run.Repository,
        };
    }

    /// <summary>An agent job's spec: its own branch, the run's commit, the branch of the agent job it starts from.
    /// <see cref="AgentSpec.Resume"/> is left for the executor, which knows the earlier attempts.</summary>
    public static AgentSpec Agent(RunRecord run, JobRecord job, AgentJson agent)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(agent);
        if (!AgentCliNames.TryParse(agent.Cli, out var cli))
        {
            throw new InvalidOperationException($"job '{job.Name}' names an unknown agent CLI '{agent.Cli}'");
        }

        return new AgentSpec(
            agent.Profile,
            cli,
            agent.Model,
            agent.Role,
            agent.AllowedTools,
            agent.DisallowedTools,
            new AgentLimits(agent.MaxTurns, agent.BudgetUsd, Span(agent.TimeoutMs), Span(agent.IdleTimeoutMs)),
            agent.Prompt,
            agent.Inputs,
            AgentBranches.For(run.Id, job.Name),
            run.Sha ?? "",
            agent.StartFrom is { } from ? AgentBranches.For(run.Id, from) : null);
    }

    /// <summary>The variables every step gets. See docs/pipeline-syntax.md.</summary>
    public static IEnumerable<KeyValuePair<string, string>> CairnVariables(
        RunRecord run, JobRecord job, int attempt, JobDefinitionJson definition, string workspace)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(definition);
        yield return new("CI", "true");
        yield return new("CAIRN", "true");
        yield return new("CAIRN_EVENT", run.Event);
        yield return new("CAIRN_REF", run.Ref ?? "");
        yield return new("CAIRN_SHA", run.Sha ?? "");
        yield return new("CAIRN_BRANCH", TriggerEvent.BranchOf(run.Ref) ?? "");
        yield return new("CAIRN_TAG", TriggerEvent.TagOf(run.Ref) ?? "");
        yield return new("CAIRN_REPOSITORY", run.Repository ?? "");
        yield return new("CAIRN_RUN_ID", run.Id.ToString(CultureInfo.InvariantCulture));
        yield return new("CAIRN_JOB", job.Name);
        yield return new("CAIRN_JOB_ID", job.Id.ToString(CultureInfo.InvariantCulture));
        yield return new("CAIRN_ATTEMPT", attempt.ToString(CultureInfo.InvariantCulture));
        yield return new("CAIRN_WORKSPACE", workspace);
        foreach (var (axis, value) in definition.Matrix)
        {
            yield return new("CAIRN_MATRIX_" + axis.ToUpperInvariant().Replace('-', '_'), value);
        }
    }

    private static TimeSpan? Span(long? milliseconds) => milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
