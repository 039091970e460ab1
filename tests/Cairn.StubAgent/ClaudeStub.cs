using System.Globalization;
using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary><c>claude</c> in print mode: its options parsed as its own parser does (variadic tool lists that take every
/// following word up to the next option, <c>--</c> ending the options) and refused with its own messages.</summary>
internal static class ClaudeStub
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "-p", "--print", "--verbose", "--bare", "-c", "--continue", "--fork-session", "--no-session-persistence",
        "--include-partial-messages", "--strict-mcp-config", "--dangerously-skip-permissions", "--disable-slash-commands",
        "--replay-user-messages", "--safe-mode", "--restricted", "--brief", "-d", "--debug",
    };

    private static readonly HashSet<string> Values = new(StringComparer.Ordinal)
    {
        "--output-format", "--input-format", "--model", "--max-turns", "--max-budget-usd", "--permission-mode",
        "--append-system-prompt", "--append-system-prompt-file", "--system-prompt", "--system-prompt-file", "--session-id",
        "--fallback-model", "--settings", "--setting-sources", "--effort", "-n", "--name", "--agent", "--agents",
        "--json-schema", "--permission-prompts", "--debug-file",
    };

    private static readonly HashSet<string> Variadic = new(StringComparer.Ordinal)
    {
        "--allowedTools", "--allowed-tools", "--disallowedTools", "--disallowed-tools", "--add-dir", "--mcp-config", "--tools", "--betas",
    };

    private static readonly string[] PermissionModes = ["acceptEdits", "auto", "bypassPermissions", "manual", "dontAsk", "plan"];

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var positionals = new List<string>();
        string? lastVariadic = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg;
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 2 and var eq)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            var values = options.TryGetValue(Canonical(name), out var seen) ? seen : options[Canonical(name)] = [];
            if (Flags.Contains(name))
            {
                continue;
            }

            if (Values.Contains(name) || name is "-r" or "--resume")
            {
                if (inline is not null)
                {
                    values.Add(inline);
                }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    values.Add(args[++i]);
                }
                else if (name is not ("-r" or "--resume"))
                {
                    return Fail($"error: option '{name} <value>' argument missing");
                }

                continue;
            }

            if (Variadic.Contains(name))
            {
                lastVariadic = name;
                if (inline is not null)
                {
                    values.Add(inline);
                }

                while (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    values.Add(args[++i]);
                }

                continue;
            }

            return Fail($"error: unknown option '{arg}'");
        }

        if (!options.ContainsKey("--print"))
        {
            return Fail("cairn-stub-agent: only claude's print mode (-p) is played");
        }

        var format = Single(options, "--output-format") ?? "text";
        if (format is not ("text" or "json" or "stream-json"))
        {
            return Fail($"error: option '--output-format <format>' argument '{format}' is invalid. Allowed choices are text, json, stream-json.");
        }

        if (format == "stream-json" && !options.ContainsKey("--verbose"))
        {
            return Fail("Error: When using --print, --output-format=stream-json requires --verbose");
        }

        if (Single(options, "--permission-mode") is { } mode && !PermissionModes.Contains(mode))
        {
            return Fail($"error: option '--permission-mode <mode>' argument '{mode}' is invalid. Allowed choices are {string.Join(", ", PermissionModes)}.");
        }

        if (Single(options, "--max-turns") is { } turns && !int.TryParse(turns, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return Fail($"Error: --max-turns must be a positive integer, got {turns}");
        }

        if (Single(options, "--append-system-prompt-file") is { } roleFile && !File.Exists(roleFile))
        {
            return Fail($"Error: Append system prompt file not found: {Path.GetFullPath(roleFile)}");
        }

        if (positionals.Count == 0)
        {
            if (lastVariadic is not null && options[Canonical(lastVariadic)] is { Count: > 0 } swallowed && swallowed[^1].Contains(' ', StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"\"{swallowed[^1]}\" was read as a value of {lastVariadic}, not as a prompt · put a prompt before {lastVariadic} or after --");
            }

            return Fail("Error: Input must be provided either through stdin or as a prompt argument when using --print");
        }

        var prompt = positionals[0];
        var chosen = Single(options, "--session-id");
        var resume = Single(options, "--resume");
        if (chosen is not null && !Guid.TryParse(chosen, out _))
        {
            return Fail("Error: Invalid session ID. Must be a valid UUID.");
        }

        if (chosen is not null && Sessions.Exists("claude", chosen))
        {
            return Fail($"Error: Session ID {chosen} is already in use.");
        }

        if (resume is not null && !Sessions.Exists("claude", resume))
        {
            return Fail($"No conversation found with session ID: {resume}");
        }

        var session = resume ?? chosen ?? Guid.NewGuid().ToString();
        var prompts = Sessions.Record("claude", session, prompt);
        Sessions.Log("claude", args, session, resume is not null, prompts);
        var protocol = new ClaudeProtocol
        {
            SessionId = session,
            Prompts = prompts,
            Model = Single(options, "--model") ?? "claude-sonnet-4-5",
            AllowedTools = options.TryGetValue("--allowedTools", out var allowed) ? allowed : [],
        };
        return Runner.Play(Scenario.Load().For(resume is not null), protocol);
    }

    private static string Canonical(string name) => name switch
    {
        "-p" => "--print",
        "--allowed-tools" => "--allowedTools",
        "--disallowed-tools" => "--disallowedTools",
        "-r" => "--resume",
        "-c" => "--continue",
        "-d" => "--debug",
        "-n" => "--name",
        _ => name,
    };

    private static string? Single(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) && values.Count > 0 ? values[^1] : null;

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
