using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>One thing a lease's spool holds for the server: a log batch or a step report.</summary>
public sealed record SpoolItem(LogBatch? Log, StepReport? Step)
{
    /// <summary>Roughly what the item takes in memory, for the spool's bound.</summary>
    public long Size => Log is { } batch ? 64 + batch.Lines.Sum(l => 48 + (2L * l.Text.Length)) : 128;
}

/// <summary>The JSON of a spooled item on disk, in the protocol's shape.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SpoolItem))]
internal sealed partial class SpoolJson : JsonSerializerContext;
