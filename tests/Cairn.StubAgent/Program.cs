using Cairn.StubAgent;

// cairn-stub-agent claude|codex|gemini|aider ARGS…: behaves as that CLI's headless mode, playing the scenario that
// CAIRN_STUB_SCENARIO names (see Scenario). It never touches the network.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: cairn-stub-agent claude|codex|gemini|aider ARGS…");
    return 2;
}

var rest = args[1..];
return args[0] switch
{
    "claude" => ClaudeStub.Run(rest),
    "codex" => CodexStub.Run(rest),
    "gemini" => GeminiStub.Run(rest),
    "aider" => AiderStub.Run(rest),
    _ => Fail(args[0]),
};

static int Fail(string cli)
{
    Console.Error.WriteLine($"cairn-stub-agent: no such CLI: {cli}");
    return 2;
}
