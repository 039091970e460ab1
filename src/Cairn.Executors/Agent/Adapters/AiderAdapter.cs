using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Core.Agents;

namespace Cairn.Executors.Agent.Adapters;

/// <summary>aider headless: <c>aider --message-file F --yes-always --no-pretty --no-stream --no-auto-commits
/// --no-gitignore --no-check-update --no-show-release-notes --analytics-disable [--model M] [--read ROLE]
/// [--restore-chat-history]</c>. aider prints plain text and has no session ids: a resume restores the chat history it
/// keeps in the working directory. Its <c>Tokens: 2.3k sent, 156 received. Cost: $0.01 message, $0.03 session.</c>
/// lines are its usage; <c>Applied edit to F</c> is an edit; litellm's error lines say how a call failed. It prints
/// no final result: its exit code is the outcome, except for an authentication failure, which is a refusal. One instance
/// per start: it sums the tokens of its replies.</summary>
public sealed partial class AiderAdapter : IAgentAdapter
{
    private int replies;
    private long sent;
    private long received;

    public AgentCli Cli => AgentCli.Aider;

    public string Program => "aider";

    public IReadOnlyList<string> ConfigPaths { get; } =
        [".aider.conf.yml", ".aiderignore", ".aider.model.settings.yml", ".aider.model.metadata.json", ".env"];

    public IReadOnlyList<string> CredentialVariables { get; } =
        ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY"];

    public bool ChoosesSessionId => false;

    public IReadOnlyList<string> Arguments(AgentInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var args = new List<string>
        {
            "--message-file", invocation.PromptFile, "--yes-always", "--no-pretty", "--no-stream", "--no-auto-commits",
            "--no-gitignore", "--no-check-update", "--no-show-release-notes", "--analytics-disable",
        };
        if (invocation.Model is { Length: > 0 } model)
        {
            args.AddRange(["--model", model]);
        }

        if (invocation.RoleFile is { Length: > 0 } role)
        {
            args.AddRange(["--read", role]);
        }

        if (invocation.Resume)
        {
            args.Add("--restore-chat-history");
        }

        return args;
    }

    public IReadOnlyList<AgentEvent> Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.TrimEnd();
        if (text.Length == 0)
        {
            return [];
        }

        if (TokensLine().Match(text) is { Success: true } tokens)
        {
            replies++;
            sent += Count(tokens.Groups["sent"].Value);
            received += Count(tokens.Groups["received"].Value);
            var cost = decimal.Parse(tokens.Groups["session"].Value, NumberStyles.Number, CultureInfo.InvariantCulture);
            return [new AgentEvent.Progress(new AgentUsage(replies, sent, received, cost))];
        }

        if (text.StartsWith("Applied edit to ", StringComparison.Ordinal))
        {
            var path = text["Applied edit to ".Length..];
            return [new AgentEvent.ToolCall("Edit", AgentText.Shorten("Edit " + path)), new AgentEvent.ToolResult("applied", false)];
        }

        if (text.StartsWith("Running ", StringComparison.Ordinal))
        {
            return [new AgentEvent.ToolCall("Bash", AgentText.Shorten("Bash: " + text["Running ".Length..]))];
        }

        if (text.Contains("AuthenticationError", StringComparison.Ordinal) || text.Contains("PermissionDeniedError", StringComparison.Ordinal))
        {
            return [new AgentEvent.Result(AgentResultKind.Refused, null, Totals(), text)];
        }

        if (text.StartsWith("Retrying in ", StringComparison.Ordinal) || text.Contains("litellm.", StringComparison.Ordinal))
        {
            return [new AgentEvent.Retry(AgentText.Shorten(text))];
        }

        return [new AgentEvent.Text(text)];
    }

    private AgentUsage Totals() => new(replies, sent, received, null);

    /// <summary>aider's counts: <c>156</c>, <c>2.3k</c>, <c>1.2M</c>.</summary>
    private static long Count(string value)
    {
        var multiplier = value[^1] switch { 'k' => 1_000m, 'M' => 1_000_000m, _ => 1m };
        var number = multiplier == 1m ? value : value[..^1];
        return (long)(decimal.Parse(number, NumberStyles.Number, CultureInfo.InvariantCulture) * multiplier);
    }

    [GeneratedRegex(@"^Tokens: (?<sent>[\d.,]+[kM]?) sent(?:, [\d.,]+[kM]? cache [a-z]+)*, (?<received>[\d.,]+[kM]?) received\. Cost: \$(?<message>[\d.]+) message, \$(?<session>[\d.]+) session\.", RegexOptions.CultureInvariant)]
    private static partial Regex TokensLine();
}
