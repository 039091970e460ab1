namespace Cairn.Git;

/// <summary>A file asked of a mirror is larger than <see cref="GitMirrorOptions.MaxFileBytes"/>: it was not read.</summary>
public sealed class GitFileTooLargeException : Exception
{
    public GitFileTooLargeException()
    {
    }

    public GitFileTooLargeException(string message)
        : base(message)
    {
    }

    public GitFileTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GitFileTooLargeException(string path, long? size, long limit)
        : base(size is { } known
            ? $"{path} is {known} bytes, over the limit of {limit} bytes"
            : $"{path} is over the limit of {limit} bytes")
    {
        Path = path;
        Size = size;
        Limit = limit;
    }

    /// <summary>The file's path in the repository.</summary>
    public string Path { get; } = "";

    /// <summary>Its size as git records it; null when it only showed itself larger while being read.</summary>
    public long? Size { get; }

    /// <summary>The most that is read.</summary>
    public long Limit { get; }
}
