using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary>Sessions kept under <c>$HOME/.cairn-stub/</c>, as the real CLIs keep theirs under the home folder: a first
/// start records its prompt, a resume adds its own and sees both. Every start is also appended to
/// <c>$HOME/.cairn-stub/invocations.jsonl</c> (CLI, arguments, working directory, session, the session's prompts) for
/// the tests to read.</summary>
internal static class Sessions
{
    private static string Root => Path.Combine(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Path.GetTempPath(), ".cairn-stub");

    public static bool Exists(string cli, string id) => File.Exists(PathOf(cli, id));

    /// <summary>Adds <paramref name="prompt"/> to the session and returns all its prompts, oldest first.</summary>
    public static IReadOnlyList<string> Record(string cli, string id, string prompt)
    {
        var path = PathOf(cli, id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var prompts = File.Exists(path) ? JsonSerializer.Deserialize<List<string>>(File.ReadAllText(path)) ?? [] : [];
        prompts.Add(prompt);
        File.WriteAllText(path, JsonSerializer.Serialize(prompts));
        return prompts;
    }

    public static void Log(string cli, IReadOnlyList<string> args, string? session, bool resume, IReadOnlyList<string> prompts)
    {
        Directory.CreateDirectory(Root);
        var entry = new JsonObject
        {
            ["cli"] = cli,
            ["args"] = new JsonArray([.. args.Select(a => JsonValue.Create(a))]),
            ["cwd"] = Environment.CurrentDirectory,
            ["session"] = session,
            ["resume"] = resume,
            ["prompts"] = new JsonArray([.. prompts.Select(p => JsonValue.Create(p))]),
        };
        File.AppendAllText(Path.Combine(Root, "invocations.jsonl"), entry.ToJsonString() + "\n");
    }

    private static string PathOf(string cli, string id)
    {
        if (id.Contains('/', StringComparison.Ordinal) || id.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("not a session id", nameof(id));
        }

        return Path.Combine(Root, "sessions", cli, id + ".json");
    }
}
