using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Core.Planning;

/// <summary>What the store keeps of a planned job, as JSON: everything a worker needs, with expressions in env,
/// image, runner and step names already expanded. Conditions stay expressions: they are decided when needs end.</summary>
public sealed record JobDefinitionJson(
    string Key,
    IReadOnlyDictionary<string, string> Matrix,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> Inputs,
    string? Image,
    string? Runner,
    long? TimeoutMs,
    string? If,
    IReadOnlyList<string> Secrets,
    RetryJson? Retry,
    IReadOnlyList<StepJson> Steps)
{
    private readonly IReadOnlyList<ServiceJson> _services = [];

    /// <summary>The job's sidecar containers, in file order, with image and env expanded. Definitions stored before
    /// services existed have none, which the serializer would otherwise hand over as null.</summary>
    public IReadOnlyList<ServiceJson> Services
    {
        get => _services;
        init => _services = value ?? [];
    }

    public string Serialize() => JsonSerializer.Serialize(this, PlanJsonContext.Default.JobDefinitionJson);

    public static JobDefinitionJson Deserialize(string json) =>
        JsonSerializer.Deserialize(json, PlanJsonContext.Default.JobDefinitionJson)
        ?? throw new JsonException("a job definition was empty");
}

/// <summary>A step as stored with its job.</summary>
public sealed record StepJson(string Name, string Run, IReadOnlyDictionary<string, string> Env, long? TimeoutMs, string? If);

/// <summary>A sidecar container as stored with its job.</summary>
public sealed record ServiceJson(string Name, string Image, IReadOnlyDictionary<string, string> Env, IReadOnlyList<string>? Command);

/// <summary>A retry rule as stored with its job; classes are wire names.</summary>
public sealed record RetryJson(int Max, IReadOnlyList<string> On, long? BackoffMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobDefinitionJson))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
