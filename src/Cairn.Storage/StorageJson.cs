using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Storage;

/// <summary>The JSON the stores keep in text columns (names, labels, a run's errors and inputs), written and read through
/// code generated at build time: no reflection, so the native build of <c>cairn</c> holds it whole. The text is what
/// <see cref="JsonSerializer"/>'s defaults write.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class StorageJson : JsonSerializerContext
{
    /// <summary>A list of names as a JSON array of strings.</summary>
    public static string Write(IEnumerable<string> values) =>
        JsonSerializer.Serialize(values as string[] ?? [.. values], Default.StringArray);

    /// <summary>A map of names to values as a JSON object.</summary>
    public static string Write(IReadOnlyDictionary<string, string> values) =>
        JsonSerializer.Serialize(values, Default.IReadOnlyDictionaryStringString);

    /// <summary>A JSON array of strings (<c>null</c> reads as none).</summary>
    public static string[] ReadNames(string json) => JsonSerializer.Deserialize(json, Default.StringArray) ?? [];
}
