using System.Text;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Statuses;

/// <summary>Each forge's status post, checked on a real loopback server: method, path, headers and JSON body as the
/// forge documents them.</summary>
public sealed class StatusRequestTests : IAsyncLifetime
{
    private readonly SocketsHttpHandler _handler = new();
    private FakeForgeServer _server = null!;
    private ForgeCatalog _catalog = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeForgeServer.StartAsync();
        _catalog = new ForgeCatalog(_handler, TimeProvider.System, StatusTestKit.Options);
    }

    public async ValueTask DisposeAsync()
    {
        _catalog.Dispose();
        _handler.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GitHub_PostsTheStatusToTheCommit_WithABearerToken()
    {
        var delivery = await ReportAsync(ForgeKind.GitHub, new StatusTarget("octo-org/hello-world", _server.Url, "ghp_token", StatusTestKit.Sha), StatusTestKit.Passed);

        Assert.IsType<StatusDelivery.Delivered>(delivery);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/repos/octo-org/hello-world/statuses/{StatusTestKit.Sha}", request.RawTarget);
        Assert.Equal("Bearer ghp_token", request.Header("Authorization"));
        Assert.Equal("cairn", request.Header("User-Agent"));
        Assert.Contains("application/vnd.github+json", request.Header("Accept"), StringComparison.Ordinal);
        Assert.Equal("2022-11-28", request.Header("X-GitHub-Api-Version"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(
            """{"state":"success","target_url":"https://ci.example.com/runs/7","description":"All 3 jobs passed","context":"cairn/ci"}""",
            request.Body);
    }

    [Theory]
    [InlineData(CommitState.Pending, "pending")]
    [InlineData(CommitState.Success, "success")]
    [InlineData(CommitState.Failure, "failure")]
    [InlineData(CommitState.Error, "error")]
    public async Task GitHub_And_Gitea_SayTheStateInTheirWords(CommitState state, string expected)
    {
        await ReportAsync(ForgeKind.GitHub, Target("o/r"), StatusTestKit.Passed with { State = state });
        await ReportAsync(ForgeKind.Gitea, Target("o/r"), StatusTestKit.Passed with { State = state });

        Assert.All(_server.Requests, r => Assert.Equal(expected, (string?)r.Json["state"]));
    }

    [Fact]
    public async Task GitHub_UnderAnApiPathWithATrailingSlash_KeepsThePath()
    {
        await ReportAsync(ForgeKind.GitHub, new StatusTarget("octo-org/hello-world", _server.Url + "/api/v3/", "t", StatusTestKit.Sha), StatusTestKit.Passed);

        Assert.Equal($"/api/v3/repos/octo-org/hello-world/statuses/{StatusTestKit.Sha}", Assert.Single(_server.Requests).RawTarget);
    }

    [Fact]
    public async Task GitHub_ClipsTheDescriptionTo140Characters_AndLeavesOutAMissingUrl()
    {
        var status = new CommitStatus(CommitState.Failure, "cairn/ci", new string('d', 300), null);

        await ReportAsync(ForgeKind.GitHub, Target("o/r"), status);

        var json = Assert.Single(_server.Requests).Json;
        var description = (string)json["description"]!;
        Assert.Equal(140, description.Length);
        Assert.EndsWith("…", description, StringComparison.Ordinal);
        Assert.False(json.ContainsKey("target_url"));
    }

    [Fact]
    public async Task Gitea_PostsTheStatus_WithATokenAuthorization()
    {
        var target = new StatusTarget("gitea/webhooks", _server.Url + "/api/v1", "gitea-token", StatusTestKit.Sha);

        Assert.IsType<StatusDelivery.Delivered>(await ReportAsync(ForgeKind.Gitea, target, StatusTestKit.Passed));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v1/repos/gitea/webhooks/statuses/{StatusTestKit.Sha}", request.RawTarget);
        Assert.Equal("token gitea-token", request.Header("Authorization"));
        Assert.Equal("cairn", request.Header("User-Agent"));
        Assert.Equal(
            """{"state":"success","target_url":"https://ci.example.com/runs/7","description":"All 3 jobs passed","context":"cairn/ci"}""",
            request.Body);
    }

    [Fact]
    public async Task GitLab_PostsToTheProjectByItsEncodedPath_WithAPrivateToken()
    {
        var target = new StatusTarget("group/sub group/project", _server.Url + "/api/v4", "glpat-token", StatusTestKit.Sha);

        Assert.IsType<StatusDelivery.Delivered>(await ReportAsync(ForgeKind.GitLab, target, StatusTestKit.Passed));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v4/projects/group%2Fsub%20group%2Fproject/statuses/{StatusTestKit.Sha}", request.RawTarget);
        Assert.Equal("glpat-token", request.Header("PRIVATE-TOKEN"));
        Assert.Null(request.Header("Authorization"));
        Assert.Equal("cairn", request.Header("User-Agent"));
        Assert.Equal(
            """{"state":"success","name":"cairn/ci","target_url":"https://ci.example.com/runs/7","description":"All 3 jobs passed"}""",
            request.Body);
    }

    [Theory]
    [InlineData(CommitState.Pending, "pending")]
    [InlineData(CommitState.Success, "success")]
    [InlineData(CommitState.Failure, "failed")]
    [InlineData(CommitState.Error, "failed")]
    public async Task GitLab_SaysTheStateInItsWords(CommitState state, string expected)
    {
        await ReportAsync(ForgeKind.GitLab, Target("g/p"), StatusTestKit.Passed with { State = state });

        Assert.Equal(expected, (string?)Assert.Single(_server.Requests).Json["state"]);
    }

    [Fact]
    public async Task GitLab_RefusingAStatusItAlreadyHas_CountsAsDelivered()
    {
        _server.Then(
            new Answer(400, """{"message":"Cannot transition status via :enqueue from :pending (Reasons: ...)"}"""),
            new Answer(400, """{"message":"Cannot transition status via :run from :success"}"""));

        var same = await ReportAsync(ForgeKind.GitLab, Target("g/p"), StatusTestKit.Passed with { State = CommitState.Pending });
        var other = await ReportAsync(ForgeKind.GitLab, Target("g/p"), StatusTestKit.Passed with { State = CommitState.Pending });

        Assert.IsType<StatusDelivery.Delivered>(same);
        Assert.Equal("gitlab answered 400: Cannot transition status via :run from :success", Assert.IsType<StatusDelivery.Rejected>(other).Reason);
    }

    [Fact]
    public async Task Bitbucket_PostsABuildStatus_WithABearerToken()
    {
        var target = new StatusTarget("emmap1/webhooks", _server.Url, "repo-access-token", StatusTestKit.Sha);

        Assert.IsType<StatusDelivery.Delivered>(await ReportAsync(ForgeKind.Bitbucket, target, StatusTestKit.Passed));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2.0/repositories/emmap1/webhooks/commit/{StatusTestKit.Sha}/statuses/build", request.RawTarget);
        Assert.Equal("Bearer repo-access-token", request.Header("Authorization"));
        Assert.Equal("cairn", request.Header("User-Agent"));
        Assert.Equal(
            """{"state":"SUCCESSFUL","key":"cairn/ci","name":"cairn/ci","url":"https://ci.example.com/runs/7","description":"All 3 jobs passed"}""",
            request.Body);
    }

    [Theory]
    [InlineData(CommitState.Pending, "INPROGRESS")]
    [InlineData(CommitState.Success, "SUCCESSFUL")]
    [InlineData(CommitState.Failure, "FAILED")]
    [InlineData(CommitState.Error, "FAILED")]
    public async Task Bitbucket_SaysTheStateInItsWords(CommitState state, string expected)
    {
        await ReportAsync(ForgeKind.Bitbucket, Target("w/r"), StatusTestKit.Passed with { State = state });

        Assert.Equal(expected, (string?)Assert.Single(_server.Requests).Json["state"]);
    }

    [Fact]
    public async Task Bitbucket_AUserAndSecret_GoAsBasicAuthentication()
    {
        await ReportAsync(ForgeKind.Bitbucket, new StatusTarget("w/r", _server.Url, "emma:app-password", StatusTestKit.Sha), StatusTestKit.Passed);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("emma:app-password"));
        Assert.Equal(expected, Assert.Single(_server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Bitbucket_LongContexts_GetDistinctKeysOf40Characters_AndKeepTheirNames()
    {
        var first = "cairn/ci/" + new string('a', 40) + "/build";
        var second = "cairn/ci/" + new string('a', 40) + "/test";

        await ReportAsync(ForgeKind.Bitbucket, Target("w/r"), StatusTestKit.Passed with { Context = first });
        await ReportAsync(ForgeKind.Bitbucket, Target("w/r"), StatusTestKit.Passed with { Context = first });
        await ReportAsync(ForgeKind.Bitbucket, Target("w/r"), StatusTestKit.Passed with { Context = second });

        var keys = _server.Requests.Select(r => (string)r.Json["key"]!).ToArray();
        Assert.All(keys, key => Assert.Equal(40, key.Length));
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        Assert.Equal(first, (string?)_server.Requests[0].Json["name"]);
    }

    [Fact]
    public async Task Bitbucket_WithoutATargetUrl_LinksTheCommitPage()
    {
        await ReportAsync(ForgeKind.Bitbucket, new StatusTarget("emmap1/webhooks", _server.Url, "t", StatusTestKit.Sha), StatusTestKit.Passed with { TargetUrl = null });

        Assert.Equal($"{_server.Url}/emmap1/webhooks/commits/{StatusTestKit.Sha}", (string?)Assert.Single(_server.Requests).Json["url"]);
    }

    [Fact]
    public async Task WithoutAToken_NoAuthorizationIsSent()
    {
        await ReportAsync(ForgeKind.GitHub, new StatusTarget("o/r", _server.Url, null, StatusTestKit.Sha), StatusTestKit.Passed);
        await ReportAsync(ForgeKind.GitLab, new StatusTarget("g/p", _server.Url, "", StatusTestKit.Sha), StatusTestKit.Passed);

        Assert.All(_server.Requests, r => Assert.Null(r.Header("Authorization")));
        Assert.Null(_server.Requests[1].Header("PRIVATE-TOKEN"));
    }

    [Theory]
    [InlineData(ForgeKind.GitHub, "octo-org", "the repository 'octo-org' is not owner/name")]
    [InlineData(ForgeKind.GitHub, "a/b/c", "the repository 'a/b/c' is not owner/name")]
    [InlineData(ForgeKind.Gitea, "../r", "the repository '../r' is not owner/name")]
    [InlineData(ForgeKind.Bitbucket, "w/", "the repository 'w/' is not owner/name")]
    [InlineData(ForgeKind.GitLab, "g//p", "the repository 'g//p' is not a project path")]
    public async Task ARepositoryNameThatCannotBeAPath_IsRejected_WithoutARequest(ForgeKind forge, string repository, string reason)
    {
        var delivery = await ReportAsync(forge, Target(repository), StatusTestKit.Passed);

        Assert.Equal(reason, Assert.IsType<StatusDelivery.Rejected>(delivery).Reason);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("../../../user")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c?x=1")]
    public async Task AShaThatIsNotHex_IsRejected_WithoutARequest(string sha)
    {
        var delivery = await ReportAsync(ForgeKind.GitHub, new StatusTarget("o/r", _server.Url, "t", sha), StatusTestKit.Passed);

        Assert.Contains("is not a commit SHA", Assert.IsType<StatusDelivery.Rejected>(delivery).Reason, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    [InlineData("/relative/api")]
    public async Task AnApiUrlThatIsNotHttp_IsRejected(string apiUrl)
    {
        var delivery = await ReportAsync(ForgeKind.Gitea, new StatusTarget("o/r", apiUrl, "t", StatusTestKit.Sha), StatusTestKit.Passed);

        Assert.Contains("is not an http(s) URL", Assert.IsType<StatusDelivery.Rejected>(delivery).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenWithALineBreak_IsRejected()
    {
        var delivery = await ReportAsync(ForgeKind.GitHub, new StatusTarget("o/r", _server.Url, "t\r\nX-Evil: 1", StatusTestKit.Sha), StatusTestKit.Passed);

        Assert.Equal("the token holds control characters", Assert.IsType<StatusDelivery.Rejected>(delivery).Reason);
        Assert.Empty(_server.Requests);
    }

    private StatusTarget Target(string repository) => new(repository, _server.Url, "token", StatusTestKit.Sha);

    private Task<StatusDelivery> ReportAsync(ForgeKind forge, StatusTarget target, CommitStatus status) =>
        _catalog.Get(forge).ReportStatusAsync(target, status, TestContext.Current.CancellationToken);
}
