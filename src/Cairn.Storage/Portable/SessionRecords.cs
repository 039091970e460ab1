using System.Data.Common;
using Cairn.Core.Access;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>Dashboard sessions (<see cref="ISessionStore"/>), alike for both dialects.</summary>
internal sealed class SessionRecords(IStatementRunner database) : ISessionStore
{
    private const string Columns = "id, user_id, groups, method, created_at, seen_at, ended_at, scopes";

    private const string Insert = """
        INSERT INTO sessions (id, user_id, groups, method, created_at, seen_at, scopes)
        VALUES (@id, @user, @groups, @method, @created, @seen, @scopes);
        """;

    private const string ById = $"SELECT {Columns} FROM sessions WHERE id = @id;";

    private const string Touch = "UPDATE sessions SET seen_at = @at WHERE id = @id AND ended_at IS NULL AND seen_at < @at;";

    private const string End = "UPDATE sessions SET ended_at = @at WHERE id = @id AND ended_at IS NULL;";

    private const string EndOfUser = "UPDATE sessions SET ended_at = @at WHERE user_id = @user AND ended_at IS NULL;";

    private const string DeleteOld = "DELETE FROM sessions WHERE ended_at < @before OR seen_at < @before;";

    public async Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await database.ExecuteAsync(
            Insert,
            c => c.Bind("@id", session.Id)
                .Bind("@user", session.UserId)
                .Bind("@groups", StorageJson.Write(session.Groups))
                .Bind("@method", session.Method)
                .Bind("@created", ToMillis(session.CreatedAt))
                .Bind("@seen", ToMillis(session.SeenAt))
                .Bind("@scopes", session.Scopes is { } scopes ? TokenScopes.ToWire(scopes) : null),
            cancellationToken);
    }

    public async Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var found = await database.QueryAsync(ById, c => c.Bind("@id", id), Read, cancellationToken);
        return found.SingleOrDefault();
    }

    public async Task TouchSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await database.ExecuteAsync(Touch, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken);
    }

    public async Task<bool> EndSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await database.ExecuteAsync(End, c => c.Bind("@id", id).Bind("@at", ToMillis(at)), cancellationToken) == 1;
    }

    public Task<int> EndSessionsOfUserAsync(long userId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync(EndOfUser, c => c.Bind("@user", userId).Bind("@at", ToMillis(at)), cancellationToken);

    public Task<int> DeleteSessionsBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.ExecuteAsync(DeleteOld, c => c.Bind("@before", ToMillis(before)), cancellationToken);

    private static SessionRecord Read(DbDataReader row) => new(
        Id: row.GetString(0),
        UserId: row.GetInt64(1),
        Groups: StorageJson.ReadNames(row.GetString(2)),
        Method: row.GetString(3),
        CreatedAt: FromMillis(row.GetInt64(4)),
        SeenAt: FromMillis(row.GetInt64(5)),
        EndedAt: row.IsDBNull(6) ? null : FromMillis(row.GetInt64(6)))
    {
        Scopes = row.IsDBNull(7) ? null : TokenScopes.Parse(row.GetString(7)),
    };
}
