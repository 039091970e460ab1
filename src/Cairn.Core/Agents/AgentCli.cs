namespace Cairn.Core.Agents;

/// <summary>The coding-agent command-line programs Cairn runs headless, each through an adapter that knows its real
/// interface (<see cref="IAgentAdapter"/>).</summary>
public enum AgentCli
{
    Claude,
    Codex,
    Gemini,
    Aider,
}

/// <summary>The lower-case names of <see cref="AgentCli"/>, as written in <c>agents.NAME.cli</c> and stored.</summary>
public static class AgentCliNames
{
    public static IReadOnlyList<string> All { get; } = ["claude", "codex", "gemini", "aider"];

    public static string ToWire(this AgentCli cli) => cli switch
    {
        AgentCli.Claude => "claude",
        AgentCli.Codex => "codex",
        AgentCli.Gemini => "gemini",
        AgentCli.Aider => "aider",
        _ => throw new ArgumentOutOfRangeException(nameof(cli)),
    };

    public static bool TryParse(string? value, out AgentCli cli)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], value, StringComparison.Ordinal))
            {
                cli = (AgentCli)i;
                return true;
            }
        }

        cli = default;
        return false;
    }
}
