using System.Data.Common;
using Cairn.Core.Access;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>The columns of users and API tokens and how their rows read, alike for both dialects.</summary>
internal static class AccessRows
{
    public const string UserColumns = "id, name, email, role, source, created_at, disabled, external_id";

    public const string TokenColumns = "id, user_id, name, scopes, hash, created_at, expires_at, last_used_at, revoked_at";

    /// <summary>A user's name as its unique key: names are unique ignoring case.</summary>
    public static string UserKey(string name) => name.ToLowerInvariant();

    public static string ToWire(UserSource source) => source switch
    {
        UserSource.Local => "local",
        UserSource.Oidc => "oidc",
        UserSource.Github => "github",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not a user source"),
    };

    public static UserSource ReadSource(string wire) => wire switch
    {
        "local" => UserSource.Local,
        "oidc" => UserSource.Oidc,
        "github" => UserSource.Github,
        _ => throw new FormatException($"'{wire}' is not a user source"),
    };

    public static UserRecord ReadUser(DbDataReader row) => new(
        Id: row.GetInt64(0),
        Name: row.GetString(1),
        Email: StringOrNull(row, 2),
        Role: row.GetString(3) == RoleNames.None ? null : RoleNames.Parse(row.GetString(3)),
        Source: ReadSource(row.GetString(4)),
        CreatedAt: FromMillis(row.GetInt64(5)),
        Disabled: row.GetBoolean(6))
    {
        ExternalId = StringOrNull(row, 7),
    };

    public static ApiTokenRecord ReadToken(DbDataReader row) => new(
        Id: row.GetString(0),
        UserId: row.GetInt64(1),
        Name: row.GetString(2),
        Scopes: TokenScopes.Parse(row.GetString(3)),
        Hash: (byte[])row.GetValue(4),
        CreatedAt: FromMillis(row.GetInt64(5)),
        ExpiresAt: MillisOrNull(row, 6),
        LastUsedAt: MillisOrNull(row, 7),
        RevokedAt: MillisOrNull(row, 8));

    private static DateTimeOffset? MillisOrNull(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : FromMillis(row.GetInt64(ordinal));
}
