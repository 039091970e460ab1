namespace Cairn.Storage;

/// <summary>The database's schema cannot be used by this build; the message says what to do and needs no stack trace.</summary>
public sealed class StoreSchemaException : Exception
{
    public StoreSchemaException()
    {
    }

    public StoreSchemaException(string message)
        : base(message)
    {
    }

    public StoreSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static StoreSchemaException TooNew(string location, long found, long known) =>
        new($"the database at {location} has schema version {found}, newer than this cairn understands ({known}); upgrade cairn");
}
