namespace Cairn.Core.Secrets;

/// <summary>The key ring of the dashboard's session cookie and anti-forgery tokens, kept in the store so that every
/// server on one database reads the same keys: a session made on one is good on the others. Each element is stored as
/// the server gives it (its secret part already sealed); the store neither reads nor changes it.</summary>
public interface IDashboardKeyStore
{
    /// <summary>Every stored element's XML text, oldest first.</summary>
    Task<IReadOnlyList<string>> ListDashboardKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores an element under its name; an element already stored under the name is replaced.</summary>
    Task SaveDashboardKeyAsync(string name, string element, DateTimeOffset at, CancellationToken cancellationToken);
}
