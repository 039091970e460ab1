using System.Net;

namespace Cairn.Workers;

/// <summary>How a call to the server failed.</summary>
public enum WorkerCallClass
{
    /// <summary>No answer within the call's time limit.</summary>
    Timeout,

    /// <summary>The connection could not be made, or broke.</summary>
    Network,

    /// <summary>The server answered with a status that is not success.</summary>
    HttpStatus,
}

/// <summary>A call to the server that failed: its class, the status (for <see cref="WorkerCallClass.HttpStatus"/>) and
/// what went wrong, in the server's words (its problem+json <c>detail</c>) where it said any.</summary>
public class WorkerCallException(WorkerCallClass callClass, HttpStatusCode? status, string detail, Exception? inner = null)
    : Exception(Describe(callClass, status, detail), inner)
{
    public WorkerCallClass Class { get; } = callClass;

    public HttpStatusCode? Status { get; } = status;

    public string Detail { get; } = detail;

    /// <summary>The <c>type</c> of the server's problem+json answer, when it gave one (<see cref="Core.Workers.WorkerProblems"/>).</summary>
    public string? ProblemType { get; init; }

    /// <summary>The class as it is written: <c>timeout</c>, <c>network</c> or <c>http_status</c>.</summary>
    public static string Name(WorkerCallClass callClass) => callClass switch
    {
        WorkerCallClass.Timeout => "timeout",
        WorkerCallClass.Network => "network",
        _ => "http_status",
    };

    private static string Describe(WorkerCallClass callClass, HttpStatusCode? status, string detail) =>
        status is { } code ? $"{Name(callClass)} {(int)code}: {detail}" : $"{Name(callClass)}: {detail}";
}

/// <summary>The server answered 401: the worker's token is wrong, or the worker was removed or its token replaced.
/// Nothing this process does can succeed any more.</summary>
public sealed class WorkerTokenRefusedException(string detail)
    : WorkerCallException(WorkerCallClass.HttpStatus, HttpStatusCode.Unauthorized, detail)
{
    /// <summary>The one line the worker says before it exits.</summary>
    public const string Explanation = "the server refused this worker's token (wrong, or the worker was removed or its token replaced)";
}

/// <summary>The server answered 409 lease-lost: the lease has ended or passed to another worker.</summary>
public sealed class LeaseLostException(string detail)
    : WorkerCallException(WorkerCallClass.HttpStatus, HttpStatusCode.Conflict, detail);
