using System.Security.Cryptography;
using System.Text;
using Cairn.Core.Schedules;
using Cairn.Core.Secrets;
using Cairn.Core.Settings;

namespace Cairn.Server.Hosting;

/// <summary>The admin API token: made on first start, kept in the store only as its SHA-256, handed to the person
/// who runs the server in <c>DATA/admin.token</c> (mode 0600).</summary>
public sealed class AdminToken
{
    public const string SettingKey = "admin-token-sha256";
    public const string FileName = "admin.token";
    private readonly byte[] hash;

    private AdminToken(byte[] hash) => this.hash = hash;

    /// <summary>What start-up should tell the person running the server.</summary>
    public string Announcement { get; private init; } = "";

    /// <summary>Loads the hash, or on first start (or when <paramref name="rotate"/>) makes a token and writes its file.</summary>
    public static async Task<AdminToken> EnsureAsync(ISettingStore settings, string dataDirectory, bool rotate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var path = Path.Combine(dataDirectory, FileName);
        var stored = await settings.GetSettingAsync(SettingKey, cancellationToken);
        if (stored is not null && !rotate)
        {
            var note = File.Exists(path)
                ? $"admin token: {path}"
                : $"admin token: made earlier; its file {path} is gone (start with --new-admin-token to make another)";
            return new AdminToken(Convert.FromHexString(stored)) { Announcement = note };
        }

        var token = "cairn_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var digest = Hash(token);
        Directory.CreateDirectory(dataDirectory);
        File.Delete(path);
        MasterKey.WritePrivate(path, token + "\n");
        if (stored is null && !rotate)
        {
            // Two replicas starting together: the first to store a hash wins; the other keeps that one.
            if (!await settings.TryAddSettingAsync(SettingKey, Convert.ToHexString(digest), cancellationToken))
            {
                var winner = await settings.GetSettingAsync(SettingKey, cancellationToken);
                File.Delete(path);
                return new AdminToken(Convert.FromHexString(winner!)) { Announcement = "admin token: made by another replica" };
            }
        }
        else
        {
            await settings.SetSettingAsync(SettingKey, Convert.ToHexString(digest), cancellationToken);
        }

        return new AdminToken(digest) { Announcement = $"admin token: written to {path} (mode 0600); API calls need 'Authorization: Bearer <token>'" };
    }

    /// <summary>Constant-time check of a presented token.</summary>
    public bool Accepts(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Hash(presented), hash);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
