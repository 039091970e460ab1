using System.Text.Json;
using Cairn.Core.Pipelines;
using YamlDotNet.RepresentationModel;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PipelineSchemaTests
{
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cairn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cairn.slnx not found above the test binaries");
    }

    [Fact]
    public void CommittedSchema_IsWhatTheSyntaxGenerates()
    {
        var committed = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "cairn.schema.json")).Replace("\r\n", "\n", StringComparison.Ordinal);

        Assert.Equal(PipelineSchema.Generate(), committed);
    }

    [Fact]
    public void Schema_IsDraft2020_12_WithADescriptionForEveryProperty()
    {
        using var schema = JsonDocument.Parse(PipelineSchema.Generate());

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        foreach (var (path, property) in Properties(schema.RootElement, "$"))
        {
            Assert.True(property.TryGetProperty("description", out var description), $"{path} has no description");
            Assert.False(string.IsNullOrWhiteSpace(description.GetString()), $"{path} has an empty description");
        }
    }

    [Theory]
    [InlineData(nameof(PipelineExamples.Full))]
    [InlineData(nameof(PipelineExamples.EveryKey))]
    [InlineData(nameof(AgentPipelineExamples.Sketch))]
    [InlineData(nameof(AgentPipelineExamples.EveryAgentKey))]
    public void EveryKeyThatLoads_IsInTheSchema(string example)
    {
        var yaml = example switch
        {
            nameof(PipelineExamples.Full) => PipelineExamples.Full,
            nameof(PipelineExamples.EveryKey) => PipelineExamples.EveryKey,
            nameof(AgentPipelineExamples.Sketch) => AgentPipelineExamples.Sketch,
            _ => AgentPipelineExamples.EveryAgentKey,
        };
        Assert.True(PipelineLoader.Load(yaml, "ci.yml").IsValid);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var schema = JsonDocument.Parse(PipelineSchema.Generate());

        var missing = new List<string>();
        CollectMissing(stream.Documents[0].RootNode, [schema.RootElement], "", missing);

        Assert.Empty(missing);
    }

    private static void CollectMissing(YamlNode node, List<JsonElement> schemas, string path, List<string> missing)
    {
        var choices = schemas.SelectMany(Alternatives).ToList();
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    var next = choices.SelectMany(s => PropertySchema(s, name)).ToList();
                    if (next.Count == 0)
                    {
                        missing.Add($"{path}.{name}");
                    }
                    else
                    {
                        CollectMissing(value, next, $"{path}.{name}", missing);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                var items = choices.Where(s => s.TryGetProperty("items", out _)).Select(s => s.GetProperty("items")).ToList();
                foreach (var item in sequence.Children)
                {
                    CollectMissing(item, items, $"{path}[]", missing);
                }

                break;
        }
    }

    private static IEnumerable<JsonElement> Alternatives(JsonElement schema) =>
        schema.TryGetProperty("oneOf", out var oneOf) ? oneOf.EnumerateArray().SelectMany(Alternatives) : [schema];

    private static IEnumerable<JsonElement> PropertySchema(JsonElement schema, string name)
    {
        if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out var property))
        {
            return [property];
        }

        return schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object ? [additional] : [];
    }

    private static IEnumerable<(string Path, JsonElement Schema)> Properties(JsonElement schema, string path)
    {
        foreach (var property in schema.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                var isProperties = property.Name == "properties";
                foreach (var child in property.Value.EnumerateObject().Where(_ => isProperties))
                {
                    yield return ($"{path}.{child.Name}", child.Value);
                }

                foreach (var nested in Properties(property.Value, $"{path}/{property.Name}"))
                {
                    yield return nested;
                }
            }
            else if (property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var nested in property.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).SelectMany(e => Properties(e, path)))
                {
                    yield return nested;
                }
            }
        }
    }
}
