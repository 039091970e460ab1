namespace Cairn.Storage;

/// <summary>Which store to open: <paramref name="Kind"/> is <c>sqlite</c> (then <paramref name="Connection"/> is a file path)
/// or <c>postgres</c> (then it is an Npgsql connection string). <paramref name="LeaseDuration"/> defaults to 30 seconds.</summary>
public sealed record StoreSettings(string Kind, string Connection, TimeSpan? LeaseDuration = null);
