using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>Whether a later attempt of an agent job goes on with the earlier attempt's session, and what the agent is
/// told: a verify step that failed (<c>build</c>, <c>test</c>, <c>lint</c> or any script failure of a verify step) gives
/// it the failing output to fix; an attempt cut off by the infrastructure (a lost worker or lease) is told to continue.
/// An agent's own failure (<c>agent-error</c>, <c>agent-limit</c>, ...) starts a fresh session.</summary>
public static class AgentResumption
{
    public const string VerifyPrefix = "The verification failed. Fix the change so that it passes:\n";

    public const string Interrupted = "The previous attempt was interrupted before it ended. Continue the task.";

    /// <param name="previousClass">How the previous attempt failed (the job's failure class while it waits for this one).</param>
    /// <param name="previous">The previous attempt's agent record, if it wrote one.</param>
    public static AgentResume? For(FailureClass? previousClass, AgentSessionRecord? previous)
    {
        if (previous?.Report.SessionId is not { Length: > 0 } session)
        {
            return null;
        }

        if (previousClass is FailureClass.Build or FailureClass.Test or FailureClass.Lint or FailureClass.Script
            && previous.Report.VerifyFailure is { Length: > 0 } failure)
        {
            return new AgentResume(session, VerifyPrefix + failure);
        }

        return previousClass == FailureClass.Infra ? new AgentResume(session, Interrupted) : null;
    }
}
