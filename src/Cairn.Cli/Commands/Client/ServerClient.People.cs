using System.Net.Http.Json;

namespace Cairn.Cli.Commands.Client;

/// <summary>The people side of the API: users, who the caller is, roles granted on repositories to users (members) and
/// groups (teams), and API tokens.</summary>
internal sealed partial class ServerClient
{
    public Task<Answer<UserView>> AddUserAsync(UserRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "users", JsonContent.Create(request, Json.UserRequest), Json.UserView, null, cancellationToken);

    public Task<Answer<Page<UserView>>> ListUsersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "users", null, Json.PageUserView, null, cancellationToken);

    /// <summary>Changes what <paramref name="request"/> gives of a user; answers the user as changed.</summary>
    public Task<Answer<UserView>> ChangeUserAsync(string name, UserChangeRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, UserPath(name), JsonContent.Create(request, Json.UserChangeRequest), Json.UserView, null, cancellationToken);

    public async Task RemoveUserAsync(string name, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, UserPath(name), null, null, cancellationToken);

    public Task<Answer<MeView>> WhoAmIAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "me", null, Json.MeView, null, cancellationToken);

    public Task<Answer<MemberView>> SetMemberAsync(string repository, string user, string role, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put, GrantPath(repository, "members", user), JsonContent.Create(new GrantRequest(role), Json.GrantRequest),
            Json.MemberView, null, cancellationToken);

    public Task<Answer<Page<MemberView>>> ListMembersAsync(string repository, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, RepositoryPath(repository) + "/members", null, Json.PageMemberView, null, cancellationToken);

    public async Task RemoveMemberAsync(string repository, string user, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, GrantPath(repository, "members", user), null, null, cancellationToken);

    public Task<Answer<TeamView>> SetTeamAsync(string repository, string group, string role, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put, GrantPath(repository, "teams", group), JsonContent.Create(new GrantRequest(role), Json.GrantRequest),
            Json.TeamView, null, cancellationToken);

    public Task<Answer<Page<TeamView>>> ListTeamsAsync(string repository, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, RepositoryPath(repository) + "/teams", null, Json.PageTeamView, null, cancellationToken);

    public async Task RemoveTeamAsync(string repository, string group, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, GrantPath(repository, "teams", group), null, null, cancellationToken);

    /// <summary>Makes a token for the caller, or (<paramref name="user"/>, as an admin) for someone else; the answer is
    /// the only one that carries its value.</summary>
    public Task<Answer<CreatedTokenView>> CreateTokenAsync(string? user, TokenRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, TokensPath(user), JsonContent.Create(request, Json.TokenRequest), Json.CreatedTokenView, null, cancellationToken);

    public Task<Answer<Page<TokenView>>> ListTokensAsync(string? user, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, TokensPath(user), null, Json.PageTokenView, null, cancellationToken);

    public async Task RevokeTokenAsync(string? user, string id, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, TokensPath(user) + "/" + Uri.EscapeDataString(id), null, null, cancellationToken);

    private static string UserPath(string name) => "users/" + Uri.EscapeDataString(name);

    private static string TokensPath(string? user) => user is null ? "tokens" : UserPath(user) + "/tokens";

    private static string GrantPath(string repository, string kind, string who) =>
        $"{RepositoryPath(repository)}/{kind}/{Uri.EscapeDataString(who)}";
}
