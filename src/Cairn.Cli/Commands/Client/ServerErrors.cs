namespace Cairn.Cli.Commands.Client;

/// <summary>The server answered with an error: its <c>application/problem+json</c> detail and listed errors, or a
/// sentence saying what came back instead.</summary>
internal sealed class ServerProblemException(int status, string detail, IReadOnlyList<string> errors) : Exception(detail)
{
    public int Status { get; } = status;

    public string Detail { get; } = detail;

    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The server could not be reached, or did not answer in time.</summary>
internal sealed class ServerUnreachableException(string server, string reason)
    : Exception($"cannot reach the Cairn server at {server}: {reason}");

/// <summary>The server answered success with something this cairn cannot read.</summary>
internal sealed class ServerAnswerException(string message) : Exception(message);
