namespace Cairn.Git;

/// <summary>Git could not do what was asked. The message is meant for people: git's own words, with any token
/// and URL password removed, and never a stack trace.</summary>
public sealed class GitException : Exception
{
    public GitException()
    {
    }

    public GitException(string message)
        : base(message)
    {
    }

    public GitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
