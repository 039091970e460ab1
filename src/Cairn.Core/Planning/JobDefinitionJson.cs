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

    private readonly string _kind = "steps";

    /// <summary><c>steps</c>, <c>agent</c>, <c>approval</c> or <c>publish</c>. For an agent job <see cref="Steps"/>[0] is
    /// the agent's own step (its <see cref="StepJson.Run"/> empty) and the rest are its verify steps. Definitions stored
    /// before kinds existed have none, which the serializer would otherwise hand over as null: they are steps jobs.</summary>
    public string Kind
    {
        get => _kind;
        init => _kind = string.IsNullOrEmpty(value) ? "steps" : value;
    }

    public AgentJson? Agent { get; init; }

    public ApprovalJson? Approval { get; init; }

    public PublishJson? Publish { get; init; }

    /// <summary>What the job keeps of its workspace when its steps end; null: nothing.</summary>
    public ArtifactsJson? Artifacts { get; init; }

    private readonly IReadOnlyList<CacheJson> _caches = [];

    /// <summary>The job's caches, in file order. Definitions stored before caches existed have none.</summary>
    public IReadOnlyList<CacheJson> Caches
    {
        get => _caches;
        init => _caches = value ?? [];
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

/// <summary>An agent job's profile, prompt and inputs as planned: the profile copied in (so a run keeps what it planned),
/// the inputs' values taken from the trigger (untrusted text, fenced when the prompt is built).</summary>
/// <param name="Cli">The CLI's wire name (<c>claude</c>).</param>
/// <param name="Inputs">Input name (<c>trigger.title</c>) → value, in the order written.</param>
/// <param name="StartFrom">The name of the agent job before it whose branch it starts from, else null (the run's commit).</param>
public sealed record AgentJson(
    string Profile,
    string Cli,
    string? Model,
    string? Role,
    IReadOnlyList<string> AllowedTools,
    IReadOnlyList<string> DisallowedTools,
    int? MaxTurns,
    decimal? BudgetUsd,
    long? TimeoutMs,
    long? IdleTimeoutMs,
    string Prompt,
    IReadOnlyList<KeyValuePair<string, string>> Inputs,
    string? StartFrom);

/// <summary>An approval gate as planned. <paramref name="TimeoutMs"/> is how long it waits once open.</summary>
public sealed record ApprovalJson(IReadOnlyList<string> Approvers, int Min, long TimeoutMs);

/// <summary>A publish job as planned. <paramref name="From"/> is the name of the agent job whose branch it pushes.</summary>
public sealed record PublishJson(string From, bool Draft, string? Title, string? Base, IReadOnlyList<string> ProtectedPaths);

/// <summary>A job's <c>artifacts:</c> as planned: globs relative to the workspace, <c>when</c>'s wire name
/// (<see cref="Artifacts.ArtifactWhenNames"/>), and <c>expire-in</c> (null: the server's default).</summary>
public sealed record ArtifactsJson(IReadOnlyList<string> Paths, string When, long? ExpireInMs);

/// <summary>One of a job's caches as planned. <paramref name="Key"/> and <paramref name="RestoreKeys"/> keep their
/// <c>${{ }}</c> as written: they are expanded on the worker, where <c>hashFiles()</c> can read the workspace.</summary>
public sealed record CacheJson(string Key, IReadOnlyList<string> Paths, IReadOnlyList<string> RestoreKeys);

/// <summary>A retry rule as stored with its job; classes are wire names.</summary>
public sealed record RetryJson(int Max, IReadOnlyList<string> On, long? BackoffMs);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobDefinitionJson))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
