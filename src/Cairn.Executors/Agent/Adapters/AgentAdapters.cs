using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>The adapter of each agent CLI. Each call gives a new instance: an adapter keeps the running totals of the one
/// start it reads.</summary>
public static class AgentAdapters
{
    public static IAgentAdapter For(AgentCli cli) => cli switch
    {
        AgentCli.Claude => new ClaudeCodeAdapter(),
        AgentCli.Codex => new CodexAdapter(),
        AgentCli.Gemini => new GeminiAdapter(),
        AgentCli.Aider => new AiderAdapter(),
        _ => throw new ArgumentOutOfRangeException(nameof(cli), cli, "no adapter for this CLI"),
    };
}
