namespace Cairn.Core.Pipelines;

/// <summary>Durations as written in pipelines: <c>90s</c>, <c>20m</c>, <c>1h30m</c>, <c>500ms</c>.</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value, out string? error) =>
        throw new NotImplementedException();

    /// <summary>The shortest form that parses back to the same value: <c>1h30m</c>, <c>1.5s</c> prints as <c>1500ms</c>.</summary>
    public static string Format(TimeSpan value) =>
        throw new NotImplementedException();
}
