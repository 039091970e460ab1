using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Cli.Commands.Client;

/// <summary>What <c>cairn tracker add</c> sends; the secrets are read from files, never arguments.</summary>
internal sealed record AddTrackerRequest(
    string Kind, string Workspace, string Project, string Repository, string ApiUrl, string WebhookSecret, string ApiKey)
{
    public override string ToString() => $"AddTrackerRequest {{ {Kind} {Workspace}/{Project} → {Repository}, secrets *** }}";
}

/// <summary>A tracker as the server shows it: never its secrets.</summary>
internal sealed record TrackerView(
    long Id, string Kind, string Workspace, string Project, string Repository, string ApiUrl, string? BotUser, DateTimeOffset CreatedAt, string WebhookUrl);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AddTrackerRequest))]
[JsonSerializable(typeof(TrackerView))]
[JsonSerializable(typeof(Page<TrackerView>))]
internal sealed partial class TrackerJsonContext : JsonSerializerContext;
