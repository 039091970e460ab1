using System.Text.Json.Nodes;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.PullRequests;

/// <summary>Commit-state webhooks of every forge, in the shapes the forges document, read as a commit's checks.</summary>
public sealed class CheckWebhookTests : IDisposable
{
    private const string Sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    public void Dispose() => _catalog.Dispose();

    [Theory]
    [InlineData("success", "passing")]
    [InlineData("pending", "pending")]
    [InlineData("failure", "failing")]
    [InlineData("error", "failing")]
    public void GitHubAndGitea_Status_IsTheCommitsChecks(string state, string expected)
    {
        var payload = JsonNode.Parse($$"""
            {
              "id": 6805126730, "sha": "{{Sha}}", "name": "acme/app", "target_url": "https://ci.example.com/1",
              "context": "ci/test", "description": "tests", "state": "{{state}}",
              "commit": { "sha": "{{Sha}}" }, "branches": [],
              "repository": { "id": 1, "name": "app", "full_name": "acme/app" }, "sender": { "login": "ci-bot" }
            }
            """)!;
        foreach (var kind in new[] { ForgeKind.GitHub, ForgeKind.Gitea })
        {
            var forge = _catalog.Get(kind);
            var request = Deliveries.Signed(kind, "status", payload);
            Assert.Equal("acme/app", forge.Identify(request).Repository);
            var checks = Assert.IsType<WebhookEvent.Checks>(forge.Parse(request));
            Assert.Equal((Sha, expected, $"ci/test: {state}"), (checks.Sha, checks.State, checks.Detail));
        }
    }

    [Theory]
    [InlineData("completed", "success", "passing")]
    [InlineData("completed", "failure", "failing")]
    [InlineData("completed", "timed_out", "failing")]
    [InlineData("requested", null, "pending")]
    public void GitHub_CheckSuite_IsTheCommitsChecks(string action, string? conclusion, string expected)
    {
        var payload = JsonNode.Parse($$"""
            {
              "action": "{{action}}",
              "check_suite": {
                "id": 118578147, "head_branch": "cairn/12-implement", "head_sha": "{{Sha}}", "status": "completed",
                "conclusion": {{(conclusion is null ? "null" : $"\"{conclusion}\"")}}, "app": { "id": 15368, "slug": "github-actions", "name": "GitHub Actions" },
                "pull_requests": []
              },
              "repository": { "id": 1, "name": "app", "full_name": "acme/app" }, "sender": { "login": "octocat" }
            }
            """)!;

        var checks = Assert.IsType<WebhookEvent.Checks>(_catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "check_suite", payload)));

        Assert.Equal((Sha, expected), (checks.Sha, checks.State));
        Assert.StartsWith("GitHub Actions: ", checks.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("running", "pending")]
    [InlineData("success", "passing")]
    [InlineData("failed", "failing")]
    [InlineData("canceled", "failing")]
    public void GitLab_PipelineHook_IsTheCommitsChecks(string status, string expected)
    {
        var payload = JsonNode.Parse($$"""
            {
              "object_kind": "pipeline",
              "object_attributes": { "id": 31, "iid": 3, "ref": "cairn/12-implement", "tag": false, "sha": "{{Sha}}",
                "before_sha": "0000000000000000000000000000000000000000", "source": "merge_request_event", "status": "{{status}}",
                "stages": ["build", "test"], "duration": 63 },
              "user": { "id": 1, "username": "root" },
              "project": { "id": 1, "name": "app", "path_with_namespace": "acme/platform/app", "web_url": "http://gitlab.example.com/acme/platform/app" },
              "commit": { "id": "{{Sha}}", "message": "test" }
            }
            """)!;
        var forge = _catalog.Get(ForgeKind.GitLab);
        var request = Deliveries.Signed(ForgeKind.GitLab, "Pipeline Hook", payload);

        Assert.Equal("acme/platform/app", forge.Identify(request).Repository);
        var checks = Assert.IsType<WebhookEvent.Checks>(forge.Parse(request));
        Assert.Equal((Sha, expected, $"pipeline 31: {status}"), (checks.Sha, checks.State, checks.Detail));
    }

    [Theory]
    [InlineData("repo:commit_status_created", "INPROGRESS", "pending", true)]
    [InlineData("repo:commit_status_updated", "SUCCESSFUL", "passing", false)]
    [InlineData("repo:commit_status_updated", "FAILED", "failing", true)]
    [InlineData("repo:commit_status_updated", "STOPPED", "failing", false)]
    public void Bitbucket_CommitStatus_IsTheCommitsChecks(string eventKey, string state, string expected, bool hashInCommit)
    {
        var commit = hashInCommit ? $$""", "commit": { "type": "commit", "hash": "{{Sha}}" }""" : "";
        var payload = JsonNode.Parse($$"""
            {
              "actor": { "display_name": "CI" },
              "repository": { "type": "repository", "full_name": "acme/app", "name": "app" },
              "commit_status": {
                "name": "Pipeline #7", "description": "tests", "state": "{{state}}", "key": "ci-7", "type": "build",
                "url": "https://ci.example.com/7", "refname": "cairn/12-implement",
                "links": {
                  "self": { "href": "https://api.bitbucket.org/2.0/repositories/acme/app/commit/{{Sha}}/statuses/build/ci-7" },
                  "commit": { "href": "https://api.bitbucket.org/2.0/repositories/acme/app/commit/{{Sha}}" }
                }{{commit}}
              }
            }
            """)!;
        var forge = _catalog.Get(ForgeKind.Bitbucket);
        var request = Deliveries.Signed(ForgeKind.Bitbucket, eventKey, payload);

        Assert.Equal("acme/app", forge.Identify(request).Repository);
        var checks = Assert.IsType<WebhookEvent.Checks>(forge.Parse(request));
        Assert.Equal((Sha, expected, $"Pipeline #7: {state.ToLowerInvariant()}"), (checks.Sha, checks.State, checks.Detail));
    }

    [Fact]
    public void AStateNoneMaps_OrNoCommit_IsIgnored()
    {
        var payload = JsonNode.Parse("""{ "sha": "not a sha", "state": "success", "context": "ci", "repository": { "full_name": "acme/app" } }""")!;
        Assert.IsType<WebhookEvent.Ignored>(_catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "status", payload)));

        var suite = JsonNode.Parse($$"""{ "action": "completed", "check_suite": { "head_sha": "{{Sha}}", "conclusion": "weird" }, "repository": { "full_name": "acme/app" } }""")!;
        Assert.IsType<WebhookEvent.Ignored>(_catalog.Get(ForgeKind.GitHub).Parse(Deliveries.Signed(ForgeKind.GitHub, "check_suite", suite)));
    }
}
