using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines;

/// <summary>The JSON Schema (draft 2020-12) of <c>.cairn.yml</c>, generated from the same syntax description the validator uses.</summary>
public static class PipelineSchema
{
    public const string SchemaId = "urn:cairn:pipeline-schema";

    // The schema is a file for editors, never embedded in HTML, so quotes and '<' may stay as written.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The schema as indented JSON, with a stable key order and a trailing newline.</summary>
    public static string Generate()
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = SchemaId,
            ["title"] = "Cairn pipeline",
        };
        foreach (var (name, value) in ObjectSchema(PipelineSyntax.Root))
        {
            root[name] = value?.DeepClone();
        }

        return root.ToJsonString(Indented).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static JsonObject Schema(SyntaxKey key) => key.Kind switch
    {
        SyntaxKind.Text => Described(key, ScalarText()),
        SyntaxKind.Boolean => Described(key, new JsonObject { ["type"] = "boolean" }),
        SyntaxKind.Integer => Described(key, Integer(key)),
        SyntaxKind.Decimal => Described(key, new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0 }),
        SyntaxKind.Duration => Described(key, new JsonObject { ["type"] = "string", ["examples"] = new JsonArray("90s", "20m", "1h30m") }),
        SyntaxKind.Choice => Described(key, Enum(key.AllowedValues)),
        SyntaxKind.Condition => Described(key, new JsonObject { ["type"] = new JsonArray("string", "boolean") }),
        SyntaxKind.TextOrList => Described(key, OneOf(ScalarText(), new JsonObject { ["type"] = "array", ["items"] = ScalarText() })),
        SyntaxKind.TextList => Described(key, new JsonObject { ["type"] = "array", ["items"] = ScalarText() }),
        SyntaxKind.NameList => Described(key, new JsonObject { ["type"] = "array", ["items"] = Pattern(key.NamePattern) }),
        SyntaxKind.ValueList => Described(key, new JsonObject { ["type"] = "array", ["items"] = Enum(key.AllowedValues) }),
        SyntaxKind.Env => Described(key, Env(key)),
        SyntaxKind.Object => ObjectSchema(key),
        SyntaxKind.NamedObjects => Described(key, NamedObjects(key, ObjectSchema(key, described: false))),
        SyntaxKind.ObjectList => Described(key, new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = ObjectSchema(key, described: false) }),
        SyntaxKind.ObjectOrList => Described(key, OneOf(
            ObjectSchema(key, described: false),
            new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = ObjectSchema(key, described: false) })),
        SyntaxKind.Events => Described(key, Events(key)),
        SyntaxKind.Matrix => Described(key, Matrix(key)),
        SyntaxKind.ScalarMapList => Described(key, ScalarMapList()),
        SyntaxKind.TextOrObject => Described(key, OneOf(ScalarText(), ObjectSchema(key, described: false))),
        SyntaxKind.Inputs => Described(key, NamedObjects(key, OneOf(new JsonObject { ["type"] = "null" }, ScalarText(), ObjectSchema(key, described: false)))),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "no schema for this kind"),
    };

    private static JsonObject ObjectSchema(SyntaxKey key, bool described = true)
    {
        var schema = new JsonObject { ["type"] = key.Nullable ? new JsonArray("object", "null") : "object" };
        if (described)
        {
            schema["description"] = key.Description;
        }

        var properties = new JsonObject();
        foreach (var child in key.Children)
        {
            properties[child.Name] = Schema(child);
        }

        schema["properties"] = properties;
        var required = key.Children.Where(c => c.Required).Select(c => (JsonNode?)c.Name).ToArray();
        if (required.Length > 0)
        {
            schema["required"] = new JsonArray(required);
        }

        schema["additionalProperties"] = false;
        return schema;
    }

    private static JsonObject Described(SyntaxKey key, JsonObject schema)
    {
        var described = new JsonObject { ["description"] = key.Description };
        foreach (var (name, value) in schema)
        {
            described[name] = value?.DeepClone();
        }

        return described;
    }

    private static JsonObject ScalarText() => new() { ["type"] = new JsonArray("string", "number", "boolean") };

    private static JsonObject Pattern(string? pattern) =>
        pattern is null ? new JsonObject { ["type"] = "string" } : new JsonObject { ["type"] = "string", ["pattern"] = pattern };

    private static JsonObject Enum(IEnumerable<string> values) =>
        new() { ["enum"] = new JsonArray([.. values.Select(v => (JsonNode?)v)]) };

    private static JsonObject OneOf(params JsonObject[] choices) => new() { ["oneOf"] = new JsonArray(choices) };

    private static JsonObject Integer(SyntaxKey key)
    {
        var schema = new JsonObject { ["type"] = "integer" };
        if (key.Minimum is { } min)
        {
            schema["minimum"] = min;
        }

        if (key.Maximum is { } max)
        {
            schema["maximum"] = max;
        }

        return schema;
    }

    private static JsonObject Env(SyntaxKey key) => new()
    {
        ["type"] = "object",
        ["propertyNames"] = Pattern(key.NamePattern),
        ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("string", "number", "boolean", "null") },
    };

    private static JsonObject NamedObjects(SyntaxKey key, JsonObject values) => new()
    {
        ["type"] = "object",
        ["minProperties"] = key.Required ? 1 : 0,
        ["propertyNames"] = Pattern(key.NamePattern),
        ["additionalProperties"] = values,
    };

    private static JsonObject Events(SyntaxKey key) => OneOf(
        Enum(key.AllowedValues.Where(e => e != "schedule")),
        new JsonObject { ["type"] = "array", ["items"] = Enum(key.AllowedValues.Where(e => e != "schedule")) },
        ObjectSchema(key, described: false));

    private static JsonObject Matrix(SyntaxKey key)
    {
        var schema = ObjectSchema(key, described: false);
        schema["propertyNames"] = Pattern(key.NamePattern);
        schema["additionalProperties"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = ScalarText() };
        return schema;
    }

    private static JsonObject ScalarMapList() => new()
    {
        ["type"] = "array",
        ["items"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = ScalarText() },
    };
}
