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

    /// <summary>The fewest characters an admin token given in a file may have.</summary>
    public const int ShortestGiven = 32;

    /// <summary>Makes the token in <paramref name="givenFile"/> the admin token, or when there is none loads the hash, or on
    /// first start (or when <paramref name="rotate"/>) makes a token and writes its file.</summary>
    public static async Task<AdminToken> EnsureAsync(
        ISettingStore settings, string dataDirectory, bool rotate, CancellationToken cancellationToken, string? givenFile = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (givenFile is not null)
        {
            return await AdoptAsync(settings, givenFile, Path.Combine(dataDirectory, FileName), rotate, cancellationToken);
        }

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

    /// <summary>The operator's own token, read from a file (a mounted Secret): every replica stores the same hash, so they
    /// agree whichever starts first, and changing the file and restarting replaces the token. No file is written.</summary>
    private static async Task<AdminToken> AdoptAsync(ISettingStore settings, string file, string madeFile, bool rotate, CancellationToken cancellationToken)
    {
        if (rotate)
        {
            throw new ServerStartException($"--new-admin-token makes a token, but --admin-token-file gives one ({file}): put a new token in that file instead");
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartException($"the admin token file {file} cannot be read: {ex.Message}");
        }

        if (token.Length < ShortestGiven || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ServerStartException(
                $"the admin token file {file} must hold one token of at least {ShortestGiven} characters with no spaces (e.g. made by: openssl rand -hex 32)");
        }

        var digest = Hash(token);
        if (await settings.GetSettingAsync(SettingKey, cancellationToken) is not { } stored
            || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(stored), digest))
        {
            await settings.SetSettingAsync(SettingKey, Convert.ToHexString(digest), cancellationToken);
        }

        // A token the server made before opens nothing now: its file must not mislead whoever finds it.
        var stale = File.Exists(madeFile);
        File.Delete(madeFile);
        return new AdminToken(digest)
        {
            Announcement = stale
                ? $"admin token: the one in {file} (the token made earlier no longer works; its file {madeFile} was removed)"
                : $"admin token: the one in {file}",
        };
    }

    /// <summary>The user the admin token acts for: the first admin (<see cref="BindUserAsync"/>); null when that user was
    /// removed, and the token with them.</summary>
    public long? UserId { get; private set; }

    public const string UserSettingKey = "admin-token-user";

    /// <summary>Finds the user the token acts for; on the first start with users, makes the first admin (<c>admin</c>)
    /// and binds the token to them, so that an install from before there were users keeps its token and loses nothing.</summary>
    public async Task<string?> BindUserAsync(ISettingStore settings, Core.Access.IUserStore users, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(time);
        if (await settings.GetSettingAsync(UserSettingKey, cancellationToken) is not { } bound)
        {
            var admin = await users.GetUserAsync(FirstAdmin, cancellationToken)
                ?? await users.CreateUserAsync(
                    new Core.Access.NewUser(FirstAdmin, null, Core.Access.Role.Admin, Core.Access.UserSource.Local, time.GetUtcNow()), cancellationToken)
                ?? await users.GetUserAsync(FirstAdmin, cancellationToken);
            var id = admin!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bound = await settings.TryAddSettingAsync(UserSettingKey, id, cancellationToken)
                ? id
                : await settings.GetSettingAsync(UserSettingKey, cancellationToken) ?? id;
        }

        var userId = long.Parse(bound, System.Globalization.CultureInfo.InvariantCulture);
        var user = await users.GetUserByIdAsync(userId, cancellationToken);
        UserId = user is null ? null : userId;
        return user is null
            ? "admin token: its user was removed, so it opens nothing (sign in as another admin)"
            : $"admin token: acts for the user {user.Name}";
    }

    /// <summary>The name of the first admin, made for the admin token.</summary>
    public const string FirstAdmin = "admin";

    /// <summary>Constant-time check of a presented token.</summary>
    public bool Accepts(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Hash(presented), hash);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
