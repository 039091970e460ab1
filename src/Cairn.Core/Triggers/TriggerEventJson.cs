using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Core.Triggers;

/// <summary>A <see cref="TriggerEvent"/> as JSON: what the event journal and a run keep of their trigger, so that a
/// journaled event can be planned after a restart and a run can be planned again (rerun).</summary>
public static class TriggerEventJson
{
    public static string Serialize(TriggerEvent trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var wire = new TriggerWire(
            trigger.EventName, trigger.Repository, trigger.Ref, trigger.Sha, trigger.Before, trigger.Sender,
            trigger.Inputs.Count == 0 ? null : trigger.Inputs, trigger.IdempotencyKey, trigger.PullRequest)
        {
            WorkItem = trigger.WorkItem,
            Review = trigger.Review,
        };
        return JsonSerializer.Serialize(wire, TriggerJsonContext.Default.TriggerWire);
    }

    /// <summary>The trigger, or a <see cref="JsonException"/> for JSON that does not describe one.</summary>
    public static TriggerEvent Deserialize(string json)
    {
        var wire = JsonSerializer.Deserialize(json, TriggerJsonContext.Default.TriggerWire)
            ?? throw new JsonException("a trigger was empty");
        var kind = wire.Event switch
        {
            "push" => TriggerKind.Push,
            "pull_request" => TriggerKind.PullRequest,
            "schedule" => TriggerKind.Schedule,
            "manual" => TriggerKind.Manual,
            "plane" => TriggerKind.Tracker,
            "pull_request_review" => TriggerKind.PullRequestReview,
            _ => throw new JsonException($"'{wire.Event}' is not a trigger event"),
        };

        return new TriggerEvent(kind, wire.Repository, wire.Ref, wire.Sha,
            wire.Inputs ?? new Dictionary<string, string>(StringComparer.Ordinal), wire.IdempotencyKey)
        {
            Before = wire.Before,
            Sender = wire.Sender,
            PullRequest = wire.PullRequest,
            WorkItem = wire.WorkItem,
            Review = wire.Review,
        };
    }
}

internal sealed record TriggerWire(
    string Event,
    string? Repository,
    string? Ref,
    string? Sha,
    string? Before,
    string? Sender,
    IReadOnlyDictionary<string, string>? Inputs,
    string? IdempotencyKey,
    PullRequestInfo? PullRequest)
{
    public WorkItemInfo? WorkItem { get; init; }

    public ReviewInfo? Review { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TriggerWire))]
internal sealed partial class TriggerJsonContext : JsonSerializerContext;
