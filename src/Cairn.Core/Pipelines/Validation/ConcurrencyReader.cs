using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads <c>concurrency:</c>, a group name or <c>{ group, cancel-in-progress }</c>; the group's expressions
/// may read inputs and the event (<c>cairn.*</c>), nothing else.</summary>
internal sealed class ConcurrencyReader(ValueReader reader, TemplateChecker expressions)
{
    private const string Example = "like concurrency: deploy-${{ cairn.branch }} or { group: deploy, cancel-in-progress: true }";

    private Diagnostics Diagnostics => reader.Diagnostics;

    public ConcurrencyDefinition? Read(YamlNode node, IReadOnlySet<string> inputs)
    {
        switch (node)
        {
            case YamlScalar { IsNull: true }:
                Diagnostics.Error(node, $"'concurrency' is empty; give a group, {Example}");
                return null;
            case YamlScalar scalar:
                return Group(scalar, inputs) is { } group ? new ConcurrencyDefinition(group, false, Diagnostics.At(scalar)) : null;
            case YamlMapping mapping:
                return FromMapping(mapping, inputs);
            default:
                Diagnostics.Error(node, $"'concurrency' must be a group name or a mapping of group and cancel-in-progress, {Example}");
                return null;
        }
    }

    private ConcurrencyDefinition? FromMapping(YamlMapping mapping, IReadOnlySet<string> inputs)
    {
        var keys = reader.Keys(mapping, PipelineSyntax.Concurrency, "in 'concurrency'");
        var cancel = keys.TryGetValue("cancel-in-progress", out var c) && reader.Boolean(c.Value, "cancel-in-progress") == true;
        if (!keys.TryGetValue("group", out var entry))
        {
            Diagnostics.Error(mapping, $"'concurrency' needs a 'group', {Example}");
            return null;
        }

        if (entry.Value is not YamlScalar { IsNull: false } scalar)
        {
            Diagnostics.Error(entry.Value, "'group' must be a name, like deploy-${{ cairn.branch }}");
            return null;
        }

        return Group(scalar, inputs) is { } group ? new ConcurrencyDefinition(group, cancel, Diagnostics.At(scalar)) : null;
    }

    private string? Group(YamlScalar scalar, IReadOnlySet<string> inputs)
    {
        if (scalar.Value.Trim().Length == 0)
        {
            Diagnostics.Error(scalar, "the concurrency group is empty; name it, like deploy-${{ cairn.branch }}");
            return null;
        }

        var before = Diagnostics.ErrorCount;
        expressions.CheckTemplate(scalar, ExpressionScope.ConcurrencyGroup(inputs));
        return Diagnostics.ErrorCount == before ? scalar.Value : null;
    }
}
