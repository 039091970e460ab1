namespace Cairn.Storage;

/// <summary>The store cannot be opened as configured (unknown kind, bad connection string, unreachable server);
/// the message says what to fix and needs no stack trace.</summary>
public sealed class StoreConfigurationException : Exception
{
    public StoreConfigurationException()
    {
    }

    public StoreConfigurationException(string message)
        : base(message)
    {
    }

    public StoreConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
