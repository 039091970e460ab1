using Cairn.Core.Access;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads what a job does when it does not run steps: <c>agent:</c>, <c>approval:</c> and <c>publish:</c>.</summary>
internal sealed class JobKindReader(ValueReader reader, StepReader steps, IReadOnlyDictionary<string, AgentProfile> agents)
{
    private static readonly IReadOnlyList<string> Roles = ["maintainer", "admin"];

    private Diagnostics Diagnostics => reader.Diagnostics;

    public AgentJobDefinition? Agent(string job, YamlEntry entry, ExpressionScope scope)
    {
        if (reader.Mapping(entry.Value, "'agent' must be a mapping like { use: developer, prompt: \"...\" }") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.AgentJob, $"in 'agent' of job '{job}'");
        var use = Use(job, mapping, keys);
        var prompt = Prompt(job, mapping, keys);
        var inputs = keys.TryGetValue("inputs", out var i) ? Inputs(i.Value) : [];
        var verify = keys.TryGetValue("verify", out var v) ? Verify(job, v.Value, scope) : [];
        return use is null || prompt is null ? null : new AgentJobDefinition(use, prompt, inputs, verify, Diagnostics.At(entry.Key));
    }

    private string? Use(string job, YamlMapping mapping, Dictionary<string, YamlEntry> keys)
    {
        if (!keys.TryGetValue("use", out var entry))
        {
            Diagnostics.Error(mapping, $"'agent' of job '{job}' has no 'use'; name a profile under 'agents', like use: developer");
            return null;
        }

        var name = reader.Text(entry.Value, "'use' must be the name of a profile under 'agents'");
        if (name is null)
        {
            if (entry.Value is YamlScalar { IsNull: true })
            {
                Diagnostics.Error(entry.Value, $"'use' of job '{job}' is empty; name a profile under 'agents'");
            }

            return null;
        }

        if (agents.ContainsKey(name))
        {
            return name;
        }

        Diagnostics.Error(entry.Value, agents.Count == 0
            ? $"job '{job}' uses agent '{name}', but the pipeline has no 'agents'; define it under agents: {{ {name}: {{ cli: claude }} }}"
            : $"job '{job}' uses agent '{name}', which is not under 'agents'{ValueReader.DidYouMean(name, [.. agents.Keys], listAll: true)}");
        return null;
    }

    private string? Prompt(string job, YamlMapping mapping, Dictionary<string, YamlEntry> keys)
    {
        if (!keys.TryGetValue("prompt", out var entry))
        {
            Diagnostics.Error(mapping, $"'agent' of job '{job}' has no 'prompt'; say what the agent is to do");
            return null;
        }

        var prompt = reader.Text(entry.Value, "'prompt' must be a string");
        if (entry.Value is YamlScalar scalar && string.IsNullOrWhiteSpace(prompt))
        {
            Diagnostics.Error(scalar, $"'prompt' of job '{job}' is empty; say what the agent is to do");
            return null;
        }

        return prompt;
    }

    private List<string> Inputs(YamlNode node)
    {
        var names = reader.TextList(node, $"'inputs' must be a list of trigger data, like [trigger.title, trigger.description]") ?? [];
        var inputs = new List<string>();
        foreach (var name in names)
        {
            if (!PipelineSyntax.AgentInputs.Contains(name.Value))
            {
                Diagnostics.Error(name, $"unknown input '{name.Value}' in 'agent.inputs'{ValueReader.DidYouMean(name.Value, PipelineSyntax.AgentInputs, listAll: true)}");
            }
            else if (!inputs.Contains(name.Value))
            {
                inputs.Add(name.Value);
            }
        }

        return inputs;
    }

    private List<StepDefinition> Verify(string job, YamlNode node, ExpressionScope scope)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return [];
        }

        if (node is not YamlSequence sequence)
        {
            Diagnostics.Error(node, "'verify' must be a list of steps, like - run: dotnet test");
            return [];
        }

        return steps.ReadAll(job, sequence, scope);
    }

    public ApprovalDefinition? Approval(string job, YamlEntry entry)
    {
        if (reader.Mapping(entry.Value, "'approval' must be a mapping like { approvers: [team:leads], min: 1 }") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Approval, $"in 'approval' of job '{job}'");
        var approvers = Approvers(job, mapping, keys);
        var min = keys.TryGetValue("min", out var m) ? reader.Integer(m.Value, "min", 1, 100) : 1;
        var timeout = keys.TryGetValue("timeout", out var t) ? reader.Duration(t.Value, "timeout") : null;
        if (approvers is null || min is null)
        {
            return null;
        }

        var onlyPeople = approvers.All(a => !a.Contains(':', StringComparison.Ordinal));
        if (onlyPeople && min > approvers.Count)
        {
            Diagnostics.Error(m!.Value, $"'min' of job '{job}' is {min}, but only {approvers.Count} approver{(approvers.Count == 1 ? " is" : "s are")} named; lower it or name a team:NAME or role:");
            return null;
        }

        return new ApprovalDefinition(approvers, min.Value, timeout, Diagnostics.At(entry.Key));
    }

    private List<string>? Approvers(string job, YamlMapping mapping, Dictionary<string, YamlEntry> keys)
    {
        const string Example = "like approvers: [alice, team:leads, role:maintainer]";
        if (!keys.TryGetValue("approvers", out var entry))
        {
            Diagnostics.Error(mapping, $"'approval' of job '{job}' has no 'approvers'; say who may approve, {Example}");
            return null;
        }

        var names = reader.TextList(entry.Value, $"'approvers' must be a list of user names, team:NAME or role:NAME, {Example}");
        if (names is null)
        {
            return null;
        }

        if (names.Count == 0)
        {
            Diagnostics.Error(entry.Value, $"'approvers' of job '{job}' is empty; say who may approve, {Example}");
            return null;
        }

        var approvers = new List<string>();
        var valid = true;
        foreach (var name in names)
        {
            if (Approver(name) is { } problem)
            {
                Diagnostics.Error(name, problem);
                valid = false;
            }
            else if (!approvers.Contains(name.Value, StringComparer.OrdinalIgnoreCase))
            {
                approvers.Add(name.Value);
            }
        }

        return valid ? approvers : null;
    }

    private static string? Approver(YamlScalar name)
    {
        var text = name.Value;
        if (text.StartsWith("role:", StringComparison.Ordinal))
        {
            var role = text["role:".Length..];
            return Roles.Contains(role) ? null : $"unknown role '{role}' in 'approvers'{ValueReader.DidYouMean(role, Roles, listAll: true)}";
        }

        if (text.StartsWith("team:", StringComparison.Ordinal))
        {
            var team = text["team:".Length..];
            return UserName.Check(team) is { } problem ? $"team name in 'approvers' {problem}" : null;
        }

        return text.Contains(':', StringComparison.Ordinal)
            ? $"'{text}' in 'approvers' is neither a user name nor team:NAME, role:maintainer or role:admin"
            : UserName.Check(text) is { } wrong ? $"approver {wrong}" : null;
    }

    /// <summary>The publish settings, and the node of <c>from</c> when written (checked against the graph later).</summary>
    public (PublishDefinition? Publish, YamlScalar? From) Publish(string job, YamlEntry entry)
    {
        var keys = entry.Value is YamlScalar { IsNull: true } ? []
            : reader.Mapping(entry.Value, "'publish' must be a mapping like { pull-request: { draft: true } }") is { } mapping
                ? reader.Keys(mapping, PipelineSyntax.Publish, $"in 'publish' of job '{job}'")
                : null;
        if (keys is null)
        {
            return (null, null);
        }

        YamlScalar? fromNode = null;
        string? from = null;
        if (keys.TryGetValue("from", out var f))
        {
            from = reader.Text(f.Value, "'from' must be the name of an agent job");
            fromNode = f.Value as YamlScalar;
            if (from is null && f.Value is YamlScalar { IsNull: true })
            {
                Diagnostics.Error(f.Value, $"'from' of job '{job}' is empty; name the agent job whose branch is published");
            }
        }

        var pullRequest = keys.TryGetValue("pull-request", out var pr) ? PullRequest(job, pr.Value) : new PullRequestPublish(true, null, null);
        var paths = keys.TryGetValue("protected-paths", out var p) ? ProtectedPaths(p.Value) : null;
        return (new PublishDefinition(from, pullRequest, paths, Diagnostics.At(entry.Key)), from is null ? null : fromNode);
    }

    private PullRequestPublish PullRequest(string job, YamlNode node)
    {
        if (node is YamlScalar { IsNull: true }
            || reader.Mapping(node, "'pull-request' must be a mapping like { draft: true, title: \"...\" }") is not { } mapping)
        {
            return new PullRequestPublish(true, null, null);
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Publish.Child("pull-request"), $"in 'publish.pull-request' of job '{job}'");
        var draft = keys.TryGetValue("draft", out var d) ? reader.Boolean(d.Value, "draft") ?? true : true;
        var title = keys.TryGetValue("title", out var t) ? reader.Text(t.Value, "'title' must be a string") : null;
        var baseBranch = keys.TryGetValue("base", out var b) ? reader.Text(b.Value, "'base' must be a branch name") : null;
        return new PullRequestPublish(draft, string.IsNullOrWhiteSpace(title) ? null : title, string.IsNullOrWhiteSpace(baseBranch) ? null : baseBranch);
    }

    private List<string>? ProtectedPaths(YamlNode node)
    {
        if (reader.TextList(node, "'protected-paths' must be a list of globs, like [.cairn.yml, .github/**]") is not { } globs)
        {
            return null;
        }

        foreach (var glob in globs)
        {
            if (Glob.Problem(glob.Value) is { } problem)
            {
                Diagnostics.Error(glob, $"{problem} (in 'publish.protected-paths')");
            }
        }

        return [.. globs.Select(g => g.Value)];
    }
}
