using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary>How one CLI prints what the stub does, line by line on stdout (flushed at once, as the real CLIs do).</summary>
internal abstract class Protocol
{
    private static readonly StreamWriter Output = new(Console.OpenStandardOutput()) { AutoFlush = true, NewLine = "\n" };

    /// <summary>The session's id and every prompt it has had (this start's last).</summary>
    public required string SessionId { get; init; }

    public required IReadOnlyList<string> Prompts { get; init; }

    public string? Model { get; init; }

    public static void Line(string line) => Output.WriteLine(line);

    public static void Json(JsonObject value) => Line(value.ToJsonString());

    public abstract void Started();

    public abstract void Text(string text);

    public abstract void Tool(string name, JsonObject input, string output, bool isError, bool denied);

    public abstract void Retry(string reason, int attempt);

    public abstract void Result(Step result, int toolCalls);
}
