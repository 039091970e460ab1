namespace Cairn.Core.Settings;

/// <summary>Small named values a server keeps in its store (the admin token's hash).</summary>
public interface ISettingStore
{
    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken);

    /// <summary>Sets the value only if the key has none; false (nothing written) when it had one.</summary>
    Task<bool> TryAddSettingAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Sets the value whatever it was.</summary>
    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken);
}
