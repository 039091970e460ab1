using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Forges.Plane;

namespace Cairn.Server.Trackers;

/// <summary>What the journal keeps of a verified Plane delivery (source <c>plane</c>), for the planner to act on later:
/// the tracker it was verified against and the delivery as read.</summary>
public sealed record PlaneEntry(
    long Tracker,
    string Event,
    string? WorkItem,
    string? Project,
    string? Title,
    IReadOnlyList<string> LabelIds,
    string? Actor,
    string? CommentId,
    string? CommentText)
{
    /// <summary>The journal's source name of Plane's deliveries.</summary>
    public const string Source = "plane";

    public static PlaneEntry Of(long tracker, PlaneDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return new PlaneEntry(
            tracker, delivery.Event, delivery.WorkItem, delivery.ProjectId, delivery.Title, delivery.LabelIds, delivery.Actor,
            delivery.Comment?.Id, delivery.Comment?.Text);
    }

    public string ToJson() => JsonSerializer.Serialize(this, PlaneEntryJson.Default.PlaneEntry);

    /// <summary>The entry, or null when the journal's text is not one.</summary>
    public static PlaneEntry? FromJson(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, PlaneEntryJson.Default.PlaneEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlaneEntry))]
internal sealed partial class PlaneEntryJson : JsonSerializerContext;
