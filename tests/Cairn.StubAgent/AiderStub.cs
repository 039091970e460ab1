using System.Globalization;
using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary><c>aider</c> with <c>--message-file</c>: options as its parser takes them (unknown ones refused with
/// argparse's message, exit code 2) and its plain text: a banner, the reply, <c>Applied edit to F</c>, the
/// <c>Tokens: … Cost: …</c> line, litellm's error lines. Its chat history is kept where aider keeps it,
/// <c>.aider.chat.history.md</c> in the working directory, and read back with <c>--restore-chat-history</c>.</summary>
internal sealed class AiderStub : Protocol
{
    private const string History = ".aider.chat.history.md";

    private static readonly HashSet<string> Values = new(StringComparer.Ordinal)
    {
        "--message-file", "-f", "--message", "-m", "--msg", "--model", "--read", "--file", "--chat-history-file", "--map-tokens", "--edit-format",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "--yes-always", "--pretty", "--no-pretty", "--stream", "--no-stream", "--auto-commits", "--no-auto-commits", "--gitignore", "--no-gitignore",
        "--check-update", "--no-check-update", "--show-release-notes", "--no-show-release-notes", "--analytics-disable", "--analytics", "--no-analytics",
        "--restore-chat-history", "--no-restore-chat-history", "--git", "--no-git", "--show-model-warnings", "--no-show-model-warnings",
        "--fancy-input", "--no-fancy-input", "--suggest-shell-commands", "--no-suggest-shell-commands", "--dirty-commits", "--no-dirty-commits",
    };

    private decimal session;

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].Split('=', 2)[0];
            if (Flags.Contains(name))
            {
                options[name] = "true";
            }
            else if (Values.Contains(name))
            {
                var value = args[i].Contains('=', StringComparison.Ordinal) ? args[i].Split('=', 2)[1] : i + 1 < args.Count ? args[++i] : null;
                if (value is null)
                {
                    return Usage($"argument {name}: expected one argument");
                }

                options[name is "-f" ? "--message-file" : name is "-m" or "--msg" ? "--message" : name] = value;
            }
            else
            {
                unknown.Add(args[i]);
            }
        }

        if (unknown.Count > 0)
        {
            return Usage($"unrecognized arguments: {string.Join(' ', unknown)}");
        }

        string prompt;
        if (options.TryGetValue("--message-file", out var file))
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"Error: Message file not found: {file}");
                return 1;
            }

            prompt = File.ReadAllText(file);
        }
        else if (options.TryGetValue("--message", out var message))
        {
            prompt = message;
        }
        else
        {
            Console.Error.WriteLine("cairn-stub-agent: only aider --message-file or --message is played");
            return 2;
        }

        var resume = options.ContainsKey("--restore-chat-history");
        var earlier = resume && File.Exists(History)
            ? File.ReadAllLines(History).Where(l => l.StartsWith("#### ", StringComparison.Ordinal)).Select(l => l[5..]).ToList()
            : [];
        File.AppendAllText(History, $"\n# aider chat started at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}\n\n#### {prompt.ReplaceLineEndings(" ")}\n");
        List<string> prompts = [.. earlier, prompt.ReplaceLineEndings(" ")];
        Sessions.Log("aider", args, null, resume, prompts);
        var stub = new AiderStub { SessionId = "", Prompts = prompts, Model = options.GetValueOrDefault("--model") ?? "sonnet" };
        return Runner.Play(Scenario.Load().For(resume), stub);
    }

    public override void Started()
    {
        Line("Aider v0.86.1");
        Line($"Main model: {Model} with diff edit format, infinite output");
        Line("Git repo: .git with 3 files");
        Line("Repo-map: using 4096 tokens, auto refresh");
        if (Prompts.Count > 1)
        {
            Line($"Restored previous conversation history ({Prompts.Count - 1} message{(Prompts.Count == 2 ? "" : "s")}).");
        }
    }

    public override void Text(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Line(line);
        }
    }

    public override void Tool(string name, JsonObject input, string output, bool isError, bool denied)
    {
        if (input["file_path"]?.GetValue<string>() is { } path)
        {
            Line(isError ? $"The LLM did not conform to the edit format for {path}." : $"Applied edit to {path}");
            return;
        }

        Line($"Running {input["command"]?.GetValue<string>() ?? name}");
        Text(output);
    }

    public override void Retry(string reason, int attempt)
    {
        Line($"litellm.InternalServerError: AnthropicException - {reason}");
        Line($"The API provider's servers are down or overloaded.");
        Line(string.Create(CultureInfo.InvariantCulture, $"Retrying in {0.2 * Math.Pow(2, attempt - 1):0.0} seconds..."));
    }

    public override void Result(Step result, int toolCalls)
    {
        switch (result.Result)
        {
            case "auth-error":
                Line("litellm.AuthenticationError: AnthropicException - {\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
                Line("The API provider is not able to authenticate you. Check your API key.");
                return;
            case "api-error":
                Line("litellm.APIConnectionError: AnthropicException - Cannot connect to host api.invalid:443");
                return;
            default:
                if (result.Text is { } text)
                {
                    Text(text);
                }

                var cost = result.CostUsd ?? 0.01m * (toolCalls + 1);
                session += cost;
                var sent = (result.InputTokens ?? 1000L * (toolCalls + 1)) / 1000m;
                var received = result.OutputTokens ?? 100L * (toolCalls + 1);
                Line(string.Create(CultureInfo.InvariantCulture, $"Tokens: {sent:0.#}k sent, {received} received. Cost: ${cost:0.00} message, ${session:0.00} session."));
                return;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine("usage: aider [-h] [--model MODEL] [--message-file MESSAGE_FILE] [--yes-always] [files ...]");
        Console.Error.WriteLine($"aider: error: {message}");
        return 2;
    }
}
