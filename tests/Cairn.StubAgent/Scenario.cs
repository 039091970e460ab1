using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cairn.StubAgent;

/// <summary>What the stub does, read from the JSON file that <c>CAIRN_STUB_SCENARIO</c> names (the wrappers that
/// <c>tests/Shared/StubAgents.cs</c> writes set it to <c>.cairn-stub.json</c> beside themselves, so a scrubbed environment
/// still finds it): <see cref="Start"/> on a first start, <see cref="Resume"/> (else <see cref="Start"/>) when the CLI
/// is asked to go on with a session. Without a scenario the stub says one line and succeeds.</summary>
internal sealed record Scenario(Script? Start, Script? Resume)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Scenario Load()
    {
        var path = Environment.GetEnvironmentVariable("CAIRN_STUB_SCENARIO");
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return new Scenario(new Script([new Step { Text = "Nothing to do." }, new Step { Result = "success", Text = "Done." }], null), null);
        }

        return JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), Options) ?? new Scenario(null, null);
    }

    public Script For(bool resume) => (resume ? Resume ?? Start : Start) ?? new Script([], null);
}

/// <summary>The steps of one start and its exit code (null: 0 after a successful result, else 1).</summary>
internal sealed record Script(IReadOnlyList<Step> Steps, int? Exit);

/// <summary>One thing the stub does; the first field set says what:
/// <c>text</c> (the assistant says it), <c>tool</c> + <c>input</c> + <c>output</c> (+ <c>isError</c>, <c>denied</c>),
/// <c>write</c> + <c>content</c> (a file in the working directory), <c>commit</c> (git add -A and commit with this message),
/// <c>sleepMs</c>, <c>hang</c> (never goes on, never exits), <c>raw</c> (a line as is, e.g. not JSON), <c>stderr</c>,
/// <c>retry</c> (the CLI retries its API), <c>hugeBytes</c> (that much assistant text in one event), <c>secretFrom</c>
/// (says the value of that environment variable), <c>echoPrompts</c> (says every prompt of the session), and
/// <c>result</c>: <c>success</c>, <c>max-turns</c>, <c>max-budget</c>, <c>api-error</c>, <c>auth-error</c> or
/// <c>denied</c>, with <c>turns</c>, <c>costUsd</c>, <c>inputTokens</c>, <c>outputTokens</c>.</summary>
internal sealed record Step
{
    public string? Text { get; init; }

    public string? Tool { get; init; }

    public JsonObject? Input { get; init; }

    public string? Output { get; init; }

    public bool IsError { get; init; }

    public bool Denied { get; init; }

    public string? Write { get; init; }

    public string? Content { get; init; }

    public string? Commit { get; init; }

    public int? SleepMs { get; init; }

    public bool Hang { get; init; }

    public string? Raw { get; init; }

    public string? Stderr { get; init; }

    public string? Retry { get; init; }

    public int? HugeBytes { get; init; }

    public string? SecretFrom { get; init; }

    public bool EchoPrompts { get; init; }

    public string? Result { get; init; }

    public int? Turns { get; init; }

    public decimal? CostUsd { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    [JsonIgnore]
    public bool Succeeds => Result is "success";
}
