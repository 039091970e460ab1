namespace Cairn.Core.Planning;

/// <summary>Worker labels with a meaning of their own.</summary>
public static class WorkerLabels
{
    /// <summary>Given by the planner to agent and publish jobs: only the server's own workers (and <c>cairn run</c>'s)
    /// offer it, and the HTTP worker protocol never hands such a job out.</summary>
    public const string Server = "cairn/server";
}
