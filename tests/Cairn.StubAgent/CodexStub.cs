using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary><c>codex exec</c>: its options parsed as its own parser does (the sandbox and most options before the
/// <c>resume</c> subcommand; <c>--json</c> and <c>--model</c> anywhere) and its JSONL events printed
/// (<c>thread.started</c>, <c>turn.started</c>, <c>item.*</c>, <c>turn.completed</c>/<c>turn.failed</c>, <c>error</c>).</summary>
internal sealed class CodexStub : Protocol
{
    private static readonly HashSet<string> ExecValues = new(StringComparer.Ordinal)
    {
        "--sandbox", "-s", "--model", "-m", "-c", "--config", "--color", "-o", "--output-last-message", "-C", "--cd", "-p", "--profile", "--output-schema", "-i", "--image",
    };

    private static readonly HashSet<string> ExecFlags = new(StringComparer.Ordinal)
    {
        "--json", "--experimental-json", "--skip-git-repo-check", "--ephemeral", "--oss", "--dangerously-bypass-approvals-and-sandbox", "--ignore-user-config", "--ignore-rules",
    };

    private static readonly HashSet<string> Global = new(StringComparer.Ordinal)
    {
        "--json", "--experimental-json", "--skip-git-repo-check", "--ephemeral", "--model", "-m", "-o", "--output-last-message", "--dangerously-bypass-approvals-and-sandbox", "--ignore-user-config", "--ignore-rules",
    };

    private int items;
    private long input;
    private long output;

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] != "exec")
        {
            return Fail("cairn-stub-agent: only `codex exec` is played", 2);
        }

        string? model = null;
        string? sandbox = null;
        var json = false;
        var resume = false;
        string? session = null;
        var positionals = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith('-'))
            {
                if (!resume && positionals.Count == 0 && arg == "resume")
                {
                    resume = true;
                }
                else
                {
                    positionals.Add(arg);
                }

                continue;
            }

            var name = arg.Split('=', 2)[0];
            if (resume && !Global.Contains(name) && name != "--last" && name != "--all")
            {
                return Fail($"error: unexpected argument '{name}' found\n\nUsage: codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]\n\nFor more information, try '--help'.", 2);
            }

            if (ExecFlags.Contains(name) || name is "--last" or "--all")
            {
                json |= name is "--json" or "--experimental-json";
                continue;
            }

            if (!ExecValues.Contains(name))
            {
                return Fail($"error: unexpected argument '{name}' found\n\n  tip: to pass '{name}' as a value, use '-- {name}'\n\nUsage: codex exec [OPTIONS] [PROMPT]\n\nFor more information, try '--help'.", 2);
            }

            var value = arg.Contains('=', StringComparison.Ordinal) ? arg.Split('=', 2)[1] : i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                return Fail($"error: a value is required for '{name} <VALUE>' but none was supplied", 2);
            }

            if (name is "--sandbox" or "-s")
            {
                sandbox = value;
                if (value is not ("read-only" or "workspace-write" or "danger-full-access"))
                {
                    return Fail($"error: invalid value '{value}' for '--sandbox <SANDBOX_MODE>'\n  [possible values: read-only, workspace-write, danger-full-access]", 2);
                }
            }
            else if (name is "--model" or "-m")
            {
                model = value;
            }
        }

        if (resume && positionals.Count > 0)
        {
            session = positionals[0];
            positionals.RemoveAt(0);
        }

        if (positionals.Count == 0)
        {
            return Fail("No prompt provided via stdin.", 1);
        }

        if (!args.Contains("--skip-git-repo-check") && !InsideGit(Environment.CurrentDirectory))
        {
            return Fail("Not inside a trusted directory and --skip-git-repo-check was not specified.", 1);
        }

        if (session is not null && !Sessions.Exists("codex", session))
        {
            return Fail($"Error: no rollout found for thread id {session}", 1);
        }

        _ = sandbox;
        var id = session ?? Guid.NewGuid().ToString();
        var prompts = Sessions.Record("codex", id, positionals[0]);
        Sessions.Log("codex", args, id, session is not null, prompts);
        var stub = new CodexStub { SessionId = id, Prompts = prompts, Model = model };
        if (!json)
        {
            return Fail("cairn-stub-agent: only codex exec --json is played", 2);
        }

        return Runner.Play(Scenario.Load().For(session is not null), stub);
    }

    public override void Started()
    {
        Json(new JsonObject { ["type"] = "thread.started", ["thread_id"] = SessionId });
        Json(new JsonObject { ["type"] = "turn.started" });
    }

    public override void Text(string text) => Item("item.completed", "agent_message", new JsonObject { ["text"] = text });

    public override void Tool(string name, JsonObject input, string output, bool isError, bool denied)
    {
        if (name is "Edit" or "Write" && input["file_path"]?.GetValue<string>() is { } path)
        {
            Item("item.completed", "file_change", new JsonObject
            {
                ["changes"] = new JsonArray(new JsonObject { ["path"] = path, ["kind"] = "update" }),
                ["status"] = isError ? "failed" : "completed",
            });
            return;
        }

        var command = input["command"]?.GetValue<string>() ?? name;
        var id = ++items;
        Json(new JsonObject
        {
            ["type"] = "item.started",
            ["item"] = new JsonObject { ["id"] = $"item_{id}", ["type"] = "command_execution", ["command"] = command, ["aggregated_output"] = "", ["exit_code"] = null, ["status"] = "in_progress" },
        });
        Json(new JsonObject
        {
            ["type"] = "item.completed",
            ["item"] = new JsonObject
            {
                ["id"] = $"item_{id}",
                ["type"] = "command_execution",
                ["command"] = command,
                ["aggregated_output"] = output,
                ["exit_code"] = denied ? null : isError ? 1 : 0,
                ["status"] = denied ? "declined" : isError ? "failed" : "completed",
            },
        });
    }

    public override void Retry(string reason, int attempt) =>
        Json(new JsonObject { ["type"] = "error", ["message"] = $"Reconnecting... {attempt}/5 ({reason})" });

    public override void Result(Step result, int toolCalls)
    {
        input += result.InputTokens ?? 1000L * (toolCalls + 1);
        output += result.OutputTokens ?? 100L * (toolCalls + 1);
        if (result.Result is "success" or "denied")
        {
            if (result.Text is { } text)
            {
                Text(text);
            }

            Json(new JsonObject
            {
                ["type"] = "turn.completed",
                ["usage"] = new JsonObject { ["input_tokens"] = input, ["cached_input_tokens"] = 0, ["output_tokens"] = output },
            });
            return;
        }

        var message = result.Result switch
        {
            "auth-error" => "unexpected status 401 Unauthorized: Incorrect API key provided",
            "max-turns" or "max-budget" => "You've hit your usage limit.",
            _ => result.Text ?? "stream disconnected before completion: error sending request for url",
        };
        Json(new JsonObject { ["type"] = "error", ["message"] = message });
        Json(new JsonObject { ["type"] = "turn.failed", ["error"] = new JsonObject { ["message"] = message } });
    }

    private void Item(string type, string kind, JsonObject fields)
    {
        fields["id"] = $"item_{++items}";
        fields["type"] = kind;
        Json(new JsonObject { ["type"] = type, ["item"] = fields });
    }

    private static bool InsideGit(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return true;
            }
        }

        return false;
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine(message);
        return code;
    }
}
