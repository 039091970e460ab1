namespace Cairn.Cli.Commands.Client;

/// <summary>What <c>cairn approve RUN --job NAME</c> and <c>cairn reject RUN --job NAME</c> send: a comment when given,
/// and that it came from the CLI (the audit log names the channel).</summary>
internal sealed record GateDecisionRequest(string? Comment, string? Sha, string Channel = "cli");

/// <summary>The server's answer to a decision on a gate: whether it ended the gate, and the job's status after it.</summary>
internal sealed record GateDecisionView(
    long RunId, long JobId, string Job, bool Decided, string JobStatus, string Summary, string Person, string Channel, string? Sha);
