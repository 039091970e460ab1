using System.Text.Json;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn user</c>, <c>whoami</c>, <c>member</c>, <c>team</c>, <c>token</c> and <c>repo set --public</c> against
/// the real server in this process.</summary>
public sealed class PeopleCommandTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private LiveServer server = null!;

    public async ValueTask InitializeAsync() => server = await LiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task Users_are_added_listed_changed_and_removed()
    {
        var added = await CairnAsync("user", "add", "alice", "--role", "developer", "--email", "alice@example.com");
        var json = await CairnAsync("user", "add", "bob", "--json");
        var list = await CairnAsync("user", "list");
        var changed = await CairnAsync("user", "set", "bob", "--role", "maintainer", "--disable");
        var removed = await CairnAsync("user", "remove", "alice");
        var again = await CairnAsync("user", "remove", "alice");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("added user alice (role developer, alice@example.com)\n", added.Stdout);
        using (var bob = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("viewer", bob.RootElement.GetProperty("role").GetString());
        }

        var rows = ServerCliTest.Lines(list.Stdout);
        Assert.Matches(@"^NAME\s+ROLE\s+SOURCE\s+EMAIL\s+STATE", rows[0]);
        Assert.Contains(rows, r => System.Text.RegularExpressions.Regex.IsMatch(r, @"^alice\s+developer\s+local\s+alice@example\.com\s+active"));
        Assert.Equal("changed user bob (role maintainer, disabled)\n", changed.Stdout);
        Assert.Equal("removed user alice\n", removed.Stdout);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("there is no user alice", again.Stderr, StringComparison.Ordinal);
        ServerCliTest.AssertNoStackTrace(again);
    }

    [Fact]
    public async Task Bad_names_roles_and_changes_are_usage_errors_before_anything_is_sent()
    {
        var badName = await CairnAsync("user", "add", "-x y");
        var badRole = await CairnAsync("user", "add", "carol", "--role", "owner");
        var nothing = await CairnAsync("user", "set", "carol");
        var badGrant = await CairnAsync("member", "set", "octo/app", "carol", "owner");
        var badLifetime = await CairnAsync("token", "create", "ci", "--expires-in", "forever");
        var badScope = await CairnAsync("token", "create", "ci", "--scope", "write");

        Assert.All([badName, badRole, nothing, badGrant, badLifetime, badScope], r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("'owner' is not a role", badGrant.Stderr, StringComparison.Ordinal);
        Assert.Contains("is not a lifetime", badLifetime.Stderr, StringComparison.Ordinal);
        Assert.Contains("--scope takes read, trigger or admin", badScope.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_printed_once_works_for_whoami_is_listed_without_its_value_and_stops_working_when_revoked()
    {
        await CairnAsync("user", "add", "alice", "--role", "developer");

        var created = await CairnAsync("token", "create", "laptop", "--user", "alice", "--scope", "read", "--scope", "trigger", "--expires-in", "7d");
        Assert.True(created.ExitCode == 0, created.ToString());
        var value = created.Stdout.Trim();
        Assert.StartsWith("cairn_", value, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', value);
        Assert.Contains("shown only now", created.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(value, created.Stderr, StringComparison.Ordinal);

        var whoami = await CairnAsync(Env(value), "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.StartsWith("alice (role developer, local)\nsigned in with token laptop (scopes read, trigger)", whoami.Stdout, StringComparison.Ordinal);

        var list = await CairnAsync("token", "list", "--user", "alice");
        var listJson = await CairnAsync("token", "list", "--user", "alice", "--json");
        Assert.Matches(@"laptop\s+read,trigger", list.Stdout);
        Assert.DoesNotContain(value, list.Stdout + listJson.Stdout, StringComparison.Ordinal);
        string id;
        using (var page = JsonDocument.Parse(listJson.Stdout))
        {
            id = page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
        }

        var revoked = await CairnAsync("token", "revoke", id, "--user", "alice");
        Assert.Equal($"revoked token {id}\n", revoked.Stdout);
        var refused = await CairnAsync(Env(value), "whoami");
        Assert.Equal(1, refused.ExitCode);
        ServerCliTest.AssertNoStackTrace(refused);
        Assert.Matches(@"revoked", (await CairnAsync("token", "list", "--user", "alice")).Stdout);
    }

    [Fact]
    public async Task Members_and_teams_are_granted_listed_and_removed()
    {
        await CairnAsync("user", "add", "carol", "--role", "none");

        var member = await CairnAsync("member", "set", "octo/app", "carol", "maintainer");
        var team = await CairnAsync("team", "set", "octo/app", "ci-devs", "developer");
        var members = await CairnAsync("member", "list", "octo/app");
        var teams = await CairnAsync("team", "list", "octo/app", "--json");
        var removed = await CairnAsync("member", "remove", "octo/app", "carol");
        var teamRemoved = await CairnAsync("team", "remove", "octo/app", "ci-devs", "--json");
        var empty = await CairnAsync("member", "list", "octo/app");
        var missing = await CairnAsync("member", "list", "octo/nope");

        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.Equal("carol is maintainer on octo/app\n", member.Stdout);
        Assert.Equal("group ci-devs is developer on octo/app\n", team.Stdout);
        Assert.Matches(@"USER\s+ROLE\ncarol\s+maintainer", members.Stdout);
        using (var page = JsonDocument.Parse(teams.Stdout))
        {
            Assert.Equal("ci-devs", page.RootElement.GetProperty("items")[0].GetProperty("group").GetString());
        }

        Assert.Equal("removed carol's grant on octo/app\n", removed.Stdout);
        using (var done = JsonDocument.Parse(teamRemoved.Stdout))
        {
            Assert.True(done.RootElement.GetProperty("removed").GetBoolean());
        }

        Assert.Contains("no members of octo/app", empty.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("there is no repository octo/nope", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repository_is_made_public_and_private_again()
    {
        var open = await CairnAsync("repo", "set", "octo/app", "--public");
        var both = await CairnAsync("repo", "set", "octo/app", "--public", "--private");
        var closed = await CairnAsync("repo", "set", "octo/app", "--private", "--json");

        Assert.True(open.ExitCode == 0, open.ToString());
        Assert.Matches(@"visibility\s+public", open.Stdout);
        Assert.Equal(2, both.ExitCode);
        using var view = JsonDocument.Parse(closed.Stdout);
        Assert.False(view.RootElement.GetProperty("public").GetBoolean());
    }

    private Task<CairnResult> CairnAsync(params string[] args) => CairnAsync(Env(server.Token), args);

    private Task<CairnResult> CairnAsync(Dictionary<string, string?> env, params string[] args) => CairnProcess.RunAsync(dir.Path, env, args);

    private Dictionary<string, string?> Env(string token) => new() { ["CAIRN_SERVER"] = server.Url, ["CAIRN_TOKEN"] = token };
}
