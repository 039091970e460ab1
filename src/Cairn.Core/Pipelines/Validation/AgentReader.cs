using System.Globalization;
using Cairn.Core.Agents;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads <c>agents:</c>: profiles by name, each with its CLI, model, role file, tools and limits.</summary>
internal sealed class AgentReader(ValueReader reader)
{
    private static readonly SyntaxKey Syntax = PipelineSyntax.Agents;

    private Diagnostics Diagnostics => reader.Diagnostics;

    public Dictionary<string, AgentProfile> Read(YamlNode node)
    {
        var profiles = new Dictionary<string, AgentProfile>(StringComparer.Ordinal);
        if (node is YamlScalar { IsNull: true }
            || reader.Mapping(node, "'agents' must be a mapping of profile names to profiles, like { developer: { cli: claude } }") is not { } mapping)
        {
            return profiles;
        }

        foreach (var entry in reader.Distinct(mapping, (key, first) => $"agent '{key.Value}' is defined twice (first at {first.Line}:{first.Column})"))
        {
            reader.JobLikeName(entry.Key, "agent");
            if (Profile(entry) is { } profile)
            {
                profiles[profile.Name] = profile;
            }
        }

        return profiles;
    }

    private AgentProfile? Profile(YamlEntry entry)
    {
        var name = entry.Key.Value;
        if (reader.Mapping(entry.Value, $"agent '{name}' must be a mapping with 'cli', like {{ cli: claude }}") is not { } mapping)
        {
            return null;
        }

        var where = $"in agent '{name}'";
        var keys = reader.Keys(mapping, Syntax, where);
        var cli = Cli(name, mapping, keys);
        var model = keys.TryGetValue("model", out var m) ? NonEmpty(m.Value, "model", name) : null;
        var role = keys.TryGetValue("role", out var r) ? Role(r.Value, name) : null;
        var allowed = keys.TryGetValue("allowed-tools", out var a) ? Tools(a.Value, "allowed-tools") : [];
        var disallowed = keys.TryGetValue("disallowed-tools", out var d) ? Tools(d.Value, "disallowed-tools") : [];
        var limits = keys.TryGetValue("limits", out var l) ? Limits(l.Value, name) : AgentLimits.None;
        return cli is { } known
            ? new AgentProfile(name, known, model, role, allowed, disallowed, limits, Diagnostics.At(entry.Key))
            : null;
    }

    private AgentCli? Cli(string name, YamlMapping mapping, Dictionary<string, YamlEntry> keys)
    {
        if (!keys.TryGetValue("cli", out var entry))
        {
            Diagnostics.Error(mapping, $"agent '{name}' has no 'cli'; give one of: {string.Join(", ", AgentCliNames.All)}");
            return null;
        }

        var text = reader.Text(entry.Value, $"'cli' must be one of: {string.Join(", ", AgentCliNames.All)}");
        if (text is null)
        {
            if (entry.Value is YamlScalar { IsNull: true })
            {
                Diagnostics.Error(entry.Value, $"'cli' of agent '{name}' is empty; give one of: {string.Join(", ", AgentCliNames.All)}");
            }

            return null;
        }

        if (AgentCliNames.TryParse(text, out var cli))
        {
            return cli;
        }

        Diagnostics.Error(entry.Value, $"unknown agent CLI '{text}'{ValueReader.DidYouMean(text, AgentCliNames.All, listAll: true)}");
        return null;
    }

    private string? NonEmpty(YamlNode node, string key, string agent)
    {
        var text = reader.Text(node, $"'{key}' must be a string");
        if (node is YamlScalar scalar && string.IsNullOrWhiteSpace(text))
        {
            Diagnostics.Error(scalar, $"'{key}' of agent '{agent}' is empty");
            return null;
        }

        return text;
    }

    /// <summary>The role file: a relative path inside the repository, without <c>..</c>, read at the run's commit.</summary>
    private string? Role(YamlNode node, string agent)
    {
        var path = NonEmpty(node, "role", agent);
        if (path is null)
        {
            return null;
        }

        var segments = path.Split('/', '\\');
        var escapes = path.StartsWith('/') || path.StartsWith('\\') || path.StartsWith('~')
            || (path.Length >= 2 && path[1] == ':') || segments.Any(s => s == "..");
        if (escapes)
        {
            Diagnostics.Error(node, $"'role' of agent '{agent}' must be a path inside the repository, relative and without '..', like .cairn/agents/{agent}.md; '{path}' is not");
            return null;
        }

        return string.Join('/', segments.Where(s => s.Length > 0 && s != "."));
    }

    private List<string> Tools(YamlNode node, string key)
    {
        var tools = reader.TextList(node, $"'{key}' must be a list of tool names in the CLI's own spelling, like [Read, Grep]") ?? [];
        return [.. tools.Select(t => t.Value).Distinct(StringComparer.Ordinal)];
    }

    private AgentLimits Limits(YamlNode node, string agent)
    {
        if (node is YamlScalar { IsNull: true }
            || reader.Mapping(node, "'limits' must be a mapping like { max-turns: 40, budget-usd: 3, timeout: 30m }") is not { } mapping)
        {
            return AgentLimits.None;
        }

        var keys = reader.Keys(mapping, Syntax.Child("limits"), $"in 'limits' of agent '{agent}'");
        return new AgentLimits(
            keys.TryGetValue("max-turns", out var t) ? reader.Integer(t.Value, "max-turns", 1, 10000) : null,
            keys.TryGetValue("budget-usd", out var b) ? Budget(b.Value) : null,
            keys.TryGetValue("timeout", out var to) ? reader.Duration(to.Value, "timeout") : null,
            keys.TryGetValue("idle-timeout", out var i) ? reader.Duration(i.Value, "idle-timeout") : null);
    }

    private decimal? Budget(YamlNode node)
    {
        const string Message = "'budget-usd' must be an amount of US dollars greater than zero, like 3 or 0.50";
        var text = reader.Text(node, Message);
        if (text is null)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        Diagnostics.Error(node, $"{Message}, not '{text}'");
        return null;
    }
}
