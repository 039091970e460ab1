namespace Cairn.Core.Access;

/// <summary>Dashboard sessions, kept on the server (<see cref="SessionRecord"/>).</summary>
public interface ISessionStore
{
    Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken);

    /// <summary>The session of that id, ended or not; null when there is none.</summary>
    Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Notes a request made with the session at <paramref name="at"/>.</summary>
    Task TouchSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends a session; false when there is none of that id or it had ended.</summary>
    Task<bool> EndSessionAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends every open session of a user; how many it ended.</summary>
    Task<int> EndSessionsOfUserAsync(long userId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Forgets sessions that ended, or were last seen, before <paramref name="before"/>; how many.</summary>
    Task<int> DeleteSessionsBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
