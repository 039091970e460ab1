namespace Cairn.Core.Agents;

/// <summary>One agent CLI's real headless interface: the arguments that start it (stdin is always closed), and how each
/// line it prints on stdout reads. Pure: no process, no file; the executor runs what this builds.</summary>
public interface IAgentAdapter
{
    AgentCli Cli { get; }

    /// <summary>The program's name as found on PATH (<c>claude</c>, <c>codex</c>, <c>gemini</c>, <c>aider</c>).</summary>
    string Program { get; }

    /// <summary>Paths of the CLI's own configuration inside a repository (<c>.claude/</c>, <c>CLAUDE.md</c>, ...; a trailing
    /// <c>/</c> marks a directory): taken from the base commit before every start, never from the branch under work.</summary>
    IReadOnlyList<string> ConfigPaths { get; }

    /// <summary>Environment variables the CLI reads its credentials from, as the profile may pass them through
    /// <c>secrets:</c> (e.g. <c>ANTHROPIC_API_KEY</c>); nothing else of the worker's environment reaches it.</summary>
    IReadOnlyList<string> CredentialVariables { get; }

    /// <summary>Whether the CLI can resume a session by an id Cairn chose (<see cref="AgentInvocation.SessionId"/>)
    /// or only by one it reported (<see cref="AgentEvent.Session"/>).</summary>
    bool ChoosesSessionId { get; }

    /// <summary>The arguments, program name excluded.</summary>
    IReadOnlyList<string> Arguments(AgentInvocation invocation);

    /// <summary>What one line of stdout says: zero or more events; a line that is not the protocol is
    /// <see cref="AgentEvent.Malformed"/>, never an exception.</summary>
    IReadOnlyList<AgentEvent> Parse(string line);
}

/// <summary>One start of an agent CLI.</summary>
/// <param name="Prompt">The whole prompt: the job's prompt, then its inputs fenced as untrusted text, then (on a resume)
/// why the session goes on.</param>
/// <param name="PromptFile">The same prompt in a file, for CLIs that read it from one (aider's <c>--message-file</c>).</param>
/// <param name="RoleFile">The role's text in a file (appended to the CLI's own system prompt), or null.</param>
/// <param name="SessionId">The session: chosen by Cairn before the start for CLIs that take one, else the one the CLI
/// reported on an earlier attempt (null on a first start then).</param>
/// <param name="Resume">True to go on with <paramref name="SessionId"/> instead of starting a new session.</param>
public sealed record AgentInvocation(
    string Prompt,
    string PromptFile,
    string? Model,
    string? RoleFile,
    IReadOnlyList<string> AllowedTools,
    IReadOnlyList<string> DisallowedTools,
    AgentLimits Limits,
    string? SessionId,
    bool Resume,
    string WorkingDirectory);

/// <summary>Turns, tokens and the CLI's own cost estimate, as far as the CLI reports them (null: it did not say).</summary>
public sealed record AgentUsage(int? Turns, long? InputTokens, long? OutputTokens, decimal? CostUsd)
{
    public static AgentUsage None { get; } = new(null, null, null, null);
}

/// <summary>How the CLI said its work ended.</summary>
public enum AgentResultKind
{
    /// <summary>Done: the agent finished its task.</summary>
    Success,

    /// <summary>A limit ended it: turns or budget (<c>agent-limit</c>).</summary>
    LimitReached,

    /// <summary>The model's API failed, overloaded or rate-limited, or the CLI failed on its own (<c>agent-error</c>).</summary>
    ApiError,

    /// <summary>Authentication failed, a tool was denied, or the configuration is wrong (<c>agent-policy</c>).</summary>
    Refused,
}

/// <summary>What one line of an agent's stream says, readable by a person once formatted.</summary>
public abstract record AgentEvent
{
    private AgentEvent()
    {
    }

    /// <summary>The CLI started or named its session (and model, when said).</summary>
    public sealed record Session(string SessionId, string? Model) : AgentEvent;

    /// <summary>Text the assistant wrote.</summary>
    public sealed record Text(string Content) : AgentEvent;

    /// <summary>A tool the agent called, with its input summarised in a line (<c>Edit src/a.cs</c>, <c>Bash: dotnet test</c>).</summary>
    public sealed record ToolCall(string Tool, string Summary) : AgentEvent;

    /// <summary>What a tool gave back, shortened; <see cref="IsError"/> when it failed or was denied.</summary>
    public sealed record ToolResult(string Summary, bool IsError, bool Denied = false) : AgentEvent;

    /// <summary>The CLI retries a failed request to its model's API.</summary>
    public sealed record Retry(string Reason) : AgentEvent;

    /// <summary>The turn count or usage went up without a result yet (so budgets can be watched while it works).</summary>
    public sealed record Progress(AgentUsage Usage) : AgentEvent;

    /// <summary>The final result: how it ended, the final text, and the totals.</summary>
    public sealed record Result(AgentResultKind Kind, string? Final, AgentUsage Usage, string? Detail) : AgentEvent;

    /// <summary>A line that is not the protocol (kept raw in the transcript, shown shortened in the log).</summary>
    public sealed record Malformed(string Line) : AgentEvent;

    /// <summary>Anything else worth a line in the log (a system notice, a warning of the CLI).</summary>
    public sealed record Notice(string Content) : AgentEvent;
}
