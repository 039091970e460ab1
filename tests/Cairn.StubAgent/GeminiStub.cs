using System.Globalization;
using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary><c>gemini</c> non-interactive: options as its strict parser takes them (<c>--name value</c> or
/// <c>--name=value</c>, arrays by repetition) and its <c>stream-json</c> events (<c>init</c>, <c>message</c>,
/// <c>tool_use</c>, <c>tool_result</c>, <c>error</c>, <c>result</c>).</summary>
internal sealed class GeminiStub : Protocol
{
    private static readonly HashSet<string> Values = new(StringComparer.Ordinal)
    {
        "--prompt", "-p", "--output-format", "-o", "--model", "-m", "--approval-mode", "--allowed-tools", "--resume", "-r", "--include-directories",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--yolo", "-y", "--sandbox", "-s", "--debug", "-d", "--checkpointing" };

    private int tools;

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var positionals = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                positionals.Add(arg);
                continue;
            }

            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal)
                ? (arg.Split('=', 2)[0], arg.Split('=', 2)[1])
                : (arg, null);
            if (Flags.Contains(name))
            {
                options[name.TrimStart('-')] = "true";
            }
            else if (Values.Contains(name))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                if (value is null)
                {
                    return Fail($"Not enough arguments following: {name.TrimStart('-')}");
                }

                options[Long(name)] = value;
            }
            else
            {
                unknown.Add(name.TrimStart('-'));
            }
        }

        if (unknown.Count > 0)
        {
            return Fail($"Unknown argument{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown)}");
        }

        if (options.ContainsKey("yolo") && options.ContainsKey("approval-mode"))
        {
            return Fail("Cannot use both --yolo (-y) and --approval-mode together. Use --approval-mode=yolo instead.");
        }

        if (options.TryGetValue("approval-mode", out var mode) && mode is not ("default" or "auto_edit" or "yolo" or "plan"))
        {
            return Fail($"Invalid values:\n  Argument: approval-mode, Given: \"{mode}\", Choices: \"default\", \"auto_edit\", \"yolo\", \"plan\"");
        }

        var prompt = options.TryGetValue("prompt", out var p) ? p : positionals.Count > 0 ? string.Join(' ', positionals) : null;
        if (prompt is null || options.GetValueOrDefault("output-format") != "stream-json")
        {
            return Fail("cairn-stub-agent: only gemini --prompt … --output-format stream-json is played");
        }

        var resume = options.GetValueOrDefault("resume");
        if (resume is not null && !Sessions.Exists("gemini", resume))
        {
            return Fail($"Error resuming session: Invalid session identifier \"{resume}\".");
        }

        var id = resume ?? Guid.NewGuid().ToString();
        var prompts = Sessions.Record("gemini", id, prompt);
        Sessions.Log("gemini", args, id, resume is not null, prompts);
        var stub = new GeminiStub { SessionId = id, Prompts = prompts, Model = options.GetValueOrDefault("model") ?? "gemini-2.5-pro" };
        return Runner.Play(Scenario.Load().For(resume is not null), stub);
    }

    public override void Started()
    {
        Json(Event("init", new JsonObject { ["session_id"] = SessionId, ["model"] = Model }));
        Json(Event("message", new JsonObject { ["role"] = "user", ["content"] = Prompts[^1] }));
    }

    public override void Text(string text) => Json(Event("message", new JsonObject { ["role"] = "assistant", ["content"] = text, ["delta"] = true }));

    public override void Tool(string name, JsonObject input, string output, bool isError, bool denied)
    {
        var id = $"{name.ToLowerInvariant()}-{++tools}";
        Json(Event("tool_use", new JsonObject { ["tool_name"] = name, ["tool_id"] = id, ["parameters"] = Runner.Input(input) }));
        var result = Event("tool_result", new JsonObject { ["tool_id"] = id, ["status"] = isError ? "error" : "success" });
        if (isError)
        {
            result["error"] = new JsonObject { ["type"] = denied ? "permission_denied" : "execution_failed", ["message"] = denied ? $"Tool \"{name}\" was denied by the approval mode" : output };
        }
        else
        {
            result["output"] = output;
        }

        Json(result);
    }

    public override void Retry(string reason, int attempt) =>
        Json(Event("error", new JsonObject { ["severity"] = "warning", ["message"] = $"Attempt {attempt} failed: {reason}. Retrying with backoff..." }));

    public override void Result(Step result, int toolCalls)
    {
        if (result.Text is { } text && result.Succeeds)
        {
            Text(text);
        }

        var input = result.InputTokens ?? 1000L * (toolCalls + 1);
        var output = result.OutputTokens ?? 100L * (toolCalls + 1);
        var line = Event("result", new JsonObject { ["status"] = result.Result is "success" or "denied" ? "success" : "error" });
        var error = result.Result switch
        {
            "max-turns" or "max-budget" => ("MaxSessionTurnsError", "Maximum session turns exceeded"),
            "auth-error" => ("FatalAuthenticationError", "API key not valid. Please pass a valid API key."),
            "api-error" => ("ApiError", result.Text ?? "[API Error: got status: 503 Service Unavailable. The model is overloaded.]"),
            _ => ((string, string)?)null,
        };
        if (error is var (type, message))
        {
            line["error"] = new JsonObject { ["type"] = type, ["message"] = message };
        }

        line["stats"] = new JsonObject
        {
            ["total_tokens"] = input + output,
            ["input_tokens"] = input,
            ["output_tokens"] = output,
            ["cached"] = 0,
            ["input"] = input,
            ["duration_ms"] = 1200,
            ["tool_calls"] = toolCalls,
        };
        Json(line);
    }

    private static JsonObject Event(string type, JsonObject fields)
    {
        var value = new JsonObject { ["type"] = type, ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) };
        foreach (var (key, field) in fields.ToList())
        {
            fields.Remove(key);
            value[key] = field;
        }

        return value;
    }

    private static string Long(string name) => name switch
    {
        "-p" => "prompt",
        "-o" => "output-format",
        "-m" => "model",
        "-r" => "resume",
        _ => name.TrimStart('-'),
    };

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
