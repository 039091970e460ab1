namespace Cairn.Cli.Tests.ServerApi;

public sealed class RepoCommandTests : ServerCliTest
{
    private const string WebhookSecret = "whsec-7f3a9 with spaces";
    private const string StatusToken = "ghp_statusTokenValue123";

    [Fact]
    public async Task RepoAdd_PostsTheRepository_WithSecretsReadFromFiles_AndPrintsTheWebhookUrl_NeverTheSecrets()
    {
        Dir.WriteFile("hook.secret", WebhookSecret + "\n");
        Dir.WriteFile("status.token", StatusToken + "\r\n");

        var result = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "gitea", "--clone-url", "https://git.acme.example/acme/widgets.git",
            "--api-url", "https://git.acme.example/api/v1", "--default-branch", "trunk",
            "--webhook-secret-file", "hook.secret", "--status-token-file", Dir.Combine("status.token"), "--allow-fork-secrets");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(Server.Api("POST", "/api/v1/repos"));
        Assert.Equal($"Bearer {FakeCairnServer.Token}", request.Authorization);
        Assert.Equal("cairn", request.UserAgent);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = Body(request);
        Assert.Equal("acme/widgets", body.GetProperty("name").GetString());
        Assert.Equal("gitea", body.GetProperty("forge").GetString());
        Assert.Equal("https://git.acme.example/acme/widgets.git", body.GetProperty("cloneUrl").GetString());
        Assert.Equal("https://git.acme.example/api/v1", body.GetProperty("apiUrl").GetString());
        Assert.Equal("trunk", body.GetProperty("defaultBranch").GetString());
        Assert.Equal(WebhookSecret, body.GetProperty("webhookSecret").GetString());
        Assert.Equal(StatusToken, body.GetProperty("statusToken").GetString());
        Assert.True(body.GetProperty("allowForkSecrets").GetBoolean());

        Assert.Contains("added acme/widgets (gitea)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{Server.Url}/hooks/gitea", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"webhook secret\s+set", result.Stdout);
        Assert.Matches(@"default branch\s+trunk", result.Stdout);
        Assert.DoesNotContain(WebhookSecret, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(StatusToken, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task RepoAdd_ReadsTheWebhookSecretFromStdin_TrimmingOneTrailingNewline_AndLeavesOutWhatWasNotGiven()
    {
        var result = await CairnProcess.RunWithStdinAsync(
            Dir.Path, Env(), "  s3cret\n\n",
            "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git", "--webhook-secret-file", "-");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(Assert.Single(Server.Api("POST", "/api/v1/repos")));
        Assert.Equal("  s3cret\n", body.GetProperty("webhookSecret").GetString());
        Assert.False(body.TryGetProperty("statusToken", out _));
        Assert.False(body.TryGetProperty("apiUrl", out _));
        Assert.False(body.TryGetProperty("allowForkSecrets", out _));
        Assert.DoesNotContain("s3cret", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepoAdd_WithAMissingOrEmptySecretFile_IsAUsageError_AndSendsNothing()
    {
        Dir.WriteFile("empty.secret", "\n");

        var missing = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git", "--webhook-secret-file", "nope.secret");
        var empty = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git", "--status-token-file", "empty.secret");
        var twoStdins = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git",
            "--status-token-file", "-", "--webhook-secret-file", "-");

        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.StartsWith("error: cannot read the webhook secret from nope.secret:", missing.Stderr, StringComparison.Ordinal);
        Assert.True(empty.ExitCode == 2, empty.ToString());
        Assert.Equal("error: the status token from empty.secret is empty", empty.Stderr.Trim());
        Assert.True(twoStdins.ExitCode == 2, twoStdins.ToString());
        Assert.Contains("only one of", twoStdins.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Api("POST", "/api/v1/repos"));
        AssertNoStackTrace(missing);
    }

    [Theory]
    [InlineData("acme", "--forge", "github", "not a repository's full name")]
    [InlineData("acme/widgets", "--forge", "sourcehut", "--forge takes github, gitlab, gitea or bitbucket, not 'sourcehut'")]
    public async Task RepoAdd_WithABadNameOrForge_IsAUsageError(string name, string flag, string forge, string said)
    {
        var result = await CairnAsync("repo", "add", name, flag, forge, "--clone-url", "https://x.example/a.git");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(said, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("../..", "has a '..' part")]
    [InlineData("acme/.", "has a '.' part")]
    [InlineData("acme//widgets", "has an empty part")]
    [InlineData("/acme/widgets", "has an empty part")]
    [InlineData("acme/widgets/", "has an empty part")]
    [InlineData("acme\\widgets", "holds a backslash")]
    [InlineData("acme/wid gets", "holds whitespace")]
    [InlineData("acme/widgets\u001b[2K", "'acme/widgets\\u001b[2K' holds a control character")]
    [InlineData("acme/widgets%2F..", "holds '%'")]
    public async Task RepoAddAndRemove_RefuseANameAPathWouldResolveElsewhere_AndSendNothing(string name, string rule)
    {
        var add = await CairnAsync("repo", "add", name, "--forge", "github", "--clone-url", "https://x.example/a.git");
        var remove = await CairnAsync("repo", "remove", name);

        foreach (var result in new[] { add, remove })
        {
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(rule, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', result.Stderr);
        }

        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task RepoRemove_OfAGitLabProjectInASubgroup_SendsItsWholePath()
    {
        Server.AddRepo("group/sub/project", "gitlab");

        var result = await CairnAsync("repo", "remove", "group/sub/project");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Server.Api("DELETE", "/api/v1/repos/group/sub/project"));
        Assert.False(Server.HasRepo("group/sub/project"));
    }

    [Fact]
    public async Task RepoAdd_OfARepositoryThatIsThere_SaysTheServersReason_AndExits1()
    {
        Server.AddRepo("acme/widgets");

        var result = await CairnAsync("repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: a repository named acme/widgets is already there; remove it first to change it", result.Stderr.Trim());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task RepoAdd_ThatTheServerFindsInvalid_ListsEachError_OnItsOwnLine()
    {
        var result = await CairnAsync("repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "widgets.git");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(["error: cloneUrl: 'widgets.git' is not a git URL (https://…, ssh://…, git@host:path or file://…)"], Lines(result.Stderr));
    }

    [Fact]
    public async Task RepoAdd_Json_PrintsTheServersAnswer()
    {
        Dir.WriteFile("hook.secret", WebhookSecret);

        var result = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "gitlab", "--clone-url", "https://gitlab.example/acme/widgets.git",
            "--webhook-secret-file", "hook.secret", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = AssertOneJsonDocument(result);
        Assert.Equal("acme/widgets", json.GetProperty("name").GetString());
        Assert.True(json.GetProperty("hasWebhookSecret").GetBoolean());
        Assert.Equal($"{Server.Url}/hooks/gitlab", json.GetProperty("webhookUrl").GetString());
        Assert.DoesNotContain(WebhookSecret, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepoList_PrintsATable_AndJsonPrintsTheServersPage()
    {
        var none = await CairnAsync("repo", "list");
        Server.AddRepo("acme/widgets", "github");
        Server.AddRepo("acme/gadgets", "gitlab", defaultBranch: "develop");

        var table = await CairnAsync("repo", "list");
        var json = await CairnAsync("repo", "list", "--json");

        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("no repositories yet", none.Stdout, StringComparison.Ordinal);
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = Lines(table.Stdout);
        Assert.Matches(@"^NAME\s+FORGE\s+BRANCH\s+WEBHOOK SECRET\s+STATUS TOKEN\s+FORK PRS\s+FORK SECRETS\s+CLONE URL$", lines[0]);
        Assert.Matches(@"^acme/gadgets\s+gitlab\s+develop\s+set\s+-\s+approve\s+no\s+https://gitlab.example/acme/gadgets.git$", lines[1]);
        Assert.Matches(@"^acme/widgets\s+github\s+main\s+", lines[2]);
        Assert.DoesNotContain('\u001b', table.Stdout);
        var page = AssertOneJsonDocument(json);
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.All(Server.Requests, r => Assert.Equal(("GET", "/api/v1/repos"), (r.Method, r.Path)));
    }

    [Fact]
    public async Task RepoRemove_Deletes_AndAnUnknownRepositoryIsTheServers404()
    {
        Server.AddRepo("acme/widgets");

        var removed = await CairnAsync("repo", "remove", "acme/widgets");
        var again = await CairnAsync("repo", "remove", "acme/widgets", "--json");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("removed acme/widgets", removed.Stdout.Trim());
        Assert.False(Server.HasRepo("acme/widgets"));
        Assert.Equal(2, Server.Api("DELETE", "/api/v1/repos/acme/widgets").Count);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Equal("error: there is no repository acme/widgets", again.Stderr.Trim());
        Assert.Empty(again.Stdout);
    }

    [Fact]
    public async Task RepoRemove_Json_SaysWhatWasRemoved()
    {
        Server.AddRepo("acme/widgets");

        var result = await CairnAsync("repo", "remove", "acme/widgets", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = AssertOneJsonDocument(result);
        Assert.Equal("acme/widgets", json.GetProperty("name").GetString());
        Assert.True(json.GetProperty("removed").GetBoolean());
    }
}
