using System.Data.Common;
using Cairn.Core.Access;
using static Cairn.Storage.Portable.AccessRows;

namespace Cairn.Storage.Portable;

/// <summary>Roles granted on repositories to users and to groups (<see cref="IMemberStore"/>), alike for both dialects.</summary>
internal sealed class MemberRecords(IStatementRunner database) : IMemberStore
{
    private const string UpsertMember = """
        INSERT INTO repository_members (repository_key, repository, user_id, role)
        SELECT @repo_key, @repo, id, @role FROM users WHERE name_key = @user_key
        ON CONFLICT (repository_key, user_id) DO UPDATE SET role = excluded.role, repository = excluded.repository;
        """;

    private const string DeleteMember = """
        DELETE FROM repository_members
        WHERE repository_key = @repo_key AND user_id IN (SELECT id FROM users WHERE name_key = @user_key);
        """;

    private const string MembersOfRepository = """
        SELECT m.repository, u.name, m.role FROM repository_members m JOIN users u ON u.id = m.user_id
        WHERE m.repository_key = @repo_key ORDER BY u.name_key;
        """;

    private const string GrantsOfUser = """
        SELECT m.repository, u.name, m.role FROM repository_members m JOIN users u ON u.id = m.user_id
        WHERE u.name_key = @user_key ORDER BY m.repository_key;
        """;

    private const string UpsertTeam = """
        INSERT INTO team_grants (repository_key, repository, group_name, role) VALUES (@repo_key, @repo, @group, @role)
        ON CONFLICT (repository_key, group_name) DO UPDATE SET role = excluded.role, repository = excluded.repository;
        """;

    private const string DeleteTeam = "DELETE FROM team_grants WHERE repository_key = @repo_key AND group_name = @group;";

    private const string TeamsOfRepository =
        "SELECT repository, group_name, role FROM team_grants WHERE repository_key = @repo_key ORDER BY group_name;";

    /// <summary>The statements that remove a repository's grants with it.</summary>
    public const string DeleteGrantsOfRepository =
        "DELETE FROM repository_members WHERE repository_key = @key; DELETE FROM team_grants WHERE repository_key = @key;";

    public async Task<bool> SetMemberAsync(string repository, string user, Role role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(user);
        return await database.ExecuteAsync(
            UpsertMember,
            c => BindRepository(c, repository).Bind("@user_key", UserKey(user)).Bind("@role", role.ToWire()),
            cancellationToken) == 1;
    }

    public async Task<bool> RemoveMemberAsync(string repository, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(user);
        return await database.ExecuteAsync(
            DeleteMember, c => BindRepository(c, repository).Bind("@user_key", UserKey(user)), cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<MemberGrant>> ListMembersAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return await database.QueryAsync(MembersOfRepository, c => BindRepository(c, repository), ReadMember, cancellationToken);
    }

    public async Task<IReadOnlyList<MemberGrant>> ListGrantsOfUserAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await database.QueryAsync(GrantsOfUser, c => c.Bind("@user_key", UserKey(user)), ReadMember, cancellationToken);
    }

    public async Task SetTeamGrantAsync(string repository, string group, Role role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(group);
        await database.ExecuteAsync(
            UpsertTeam, c => BindRepository(c, repository).Bind("@group", group).Bind("@role", role.ToWire()), cancellationToken);
    }

    public async Task<bool> RemoveTeamGrantAsync(string repository, string group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(group);
        return await database.ExecuteAsync(DeleteTeam, c => BindRepository(c, repository).Bind("@group", group), cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<TeamGrant>> ListTeamGrantsAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return await database.QueryAsync(
            TeamsOfRepository,
            c => BindRepository(c, repository),
            row => new TeamGrant(row.GetString(0), row.GetString(1), RoleNames.Parse(row.GetString(2))),
            cancellationToken);
    }

    private static DbCommand BindRepository(DbCommand command, string repository) =>
        command.Bind("@repo_key", ServerRows.RepositoryKey(repository)).Bind("@repo", repository);

    private static MemberGrant ReadMember(DbDataReader row) => new(row.GetString(0), row.GetString(1), RoleNames.Parse(row.GetString(2)));
}
