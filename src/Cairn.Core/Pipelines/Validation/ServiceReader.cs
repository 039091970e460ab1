using System.Text.RegularExpressions;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads a job's <c>services:</c>: sidecar containers by DNS-label name, each with an image.</summary>
internal sealed partial class ServiceReader(ValueReader reader, TemplateChecker expressions)
{
    private Diagnostics Diagnostics => reader.Diagnostics;

    public List<ServiceDefinition> Read(string job, YamlNode node, ExpressionScope scope)
    {
        var services = new List<ServiceDefinition>();
        if (node is YamlScalar { IsNull: true }
            || reader.Mapping(node, "'services' must be a mapping of service names to services, like { db: { image: postgres:15 } }") is not { } mapping)
        {
            return services;
        }

        foreach (var entry in reader.Distinct(mapping, (key, first) => $"service '{key.Value}' is defined twice in job '{job}' (first at {first.Line}:{first.Column})"))
        {
            if (Read(job, entry, scope) is { } service)
            {
                services.Add(service);
            }
        }

        return services;
    }

    private ServiceDefinition? Read(string job, YamlEntry entry, ExpressionScope scope)
    {
        var name = entry.Key.Value;
        if (!ServiceName().IsMatch(name))
        {
            Diagnostics.Error(entry.Key, $"'{name}' is not a valid service name; it is the host name steps reach the service by: use lowercase letters, digits and -, not starting or ending with -");
        }

        if (reader.Mapping(entry.Value, $"service '{name}' must be a mapping with 'image', like {{ image: postgres:15 }}") is not { } mapping)
        {
            return null;
        }

        var where = $"in service '{name}' of job '{job}'";
        var keys = reader.Keys(mapping, PipelineSyntax.Services, where);
        var image = Image(job, name, mapping, keys, scope);
        var env = keys.TryGetValue("env", out var e) ? reader.Env(e.Value, where, v => expressions.CheckTemplate(v, scope)) : [];
        var command = keys.TryGetValue("command", out var c) ? Command(name, c.Value) : null;
        return image is null ? null : new ServiceDefinition(name, image, env, command, Diagnostics.At(entry.Key));
    }

    private string? Image(string job, string name, YamlMapping mapping, Dictionary<string, YamlEntry> keys, ExpressionScope scope)
    {
        if (!keys.TryGetValue("image", out var entry))
        {
            Diagnostics.Error(mapping, $"service '{name}' of job '{job}' has no 'image'; give the image it runs, like image: postgres:15");
            return null;
        }

        var image = reader.Text(entry.Value, "'image' must be a string");
        if (entry.Value is not YamlScalar scalar)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(image))
        {
            Diagnostics.Error(scalar, $"'image' of service '{name}' is empty");
            return null;
        }

        expressions.CheckTemplate(scalar, scope);
        return image;
    }

    private List<string>? Command(string name, YamlNode node)
    {
        if (node is YamlSequence sequence && sequence.Items.All(i => i is YamlScalar))
        {
            return [.. sequence.Items.Cast<YamlScalar>().Select(s => s.IsNull ? "" : s.Value)];
        }

        Diagnostics.Error(node is YamlSequence s ? s.Items.First(i => i is not YamlScalar) : node,
            $"'command' of service '{name}' must be a list of strings, like [redis-server, --save, \"\"]");
        return null;
    }

    [GeneratedRegex(PipelineSyntax.ServiceNamePattern)]
    private static partial Regex ServiceName();
}
