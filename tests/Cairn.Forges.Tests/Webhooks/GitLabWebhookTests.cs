using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Tests.Webhooks;

public sealed class GitLabWebhookTests : IDisposable
{
    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    private IForge GitLab => _catalog.Get(ForgeKind.GitLab);

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public void Verify_ComparesTheTokenWithTheSecret()
    {
        var request = Deliveries.Signed(ForgeKind.GitLab, "Push Hook", Deliveries.Sample("gitlab/push.json"));

        Assert.True(GitLab.Verify(request, Deliveries.Secret));
        Assert.False(GitLab.Verify(request, Deliveries.Secret + " "));
        Assert.False(GitLab.Verify(request, "It's a Secret"));
        Assert.False(GitLab.Verify(request.WithHeader("X-Gitlab-Token", null), Deliveries.Secret));
        Assert.False(GitLab.Verify(request.WithHeader("X-Gitlab-Token", ""), Deliveries.Secret));
    }

    [Fact]
    public void Verify_AnEmptySecret_MatchesNothing_NotEvenAnEmptyToken()
    {
        var request = Deliveries.Signed(ForgeKind.GitLab, "Push Hook", Deliveries.Sample("gitlab/push.json"), secret: "");

        Assert.False(GitLab.Verify(request, ""));
    }

    [Fact]
    public void Identify_ReadsTheEventUuidAndTheProjectPath()
    {
        var identity = GitLab.Identify(Deliveries.Signed(ForgeKind.GitLab, "Push Hook", Deliveries.Sample("gitlab/push.json")));

        Assert.Equal(new WebhookIdentity(Deliveries.DeliveryId, "Push Hook", "mike/diaspora"), identity);
    }

    [Fact]
    public void Identify_WithoutAProject_SaysSo()
    {
        var payload = Deliveries.Sample("gitlab/push.json");
        payload.Remove("project");

        var error = Assert.Throws<WebhookFormatException>(() => GitLab.Identify(Deliveries.Signed(ForgeKind.GitLab, "Push Hook", payload)));

        Assert.Contains("project.path_with_namespace", error.Message);
    }

    [Fact]
    public void Parse_PushHook_IsATrigger()
    {
        var trigger = GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Push Hook", Deliveries.Sample("gitlab/push.json"))).Trigger();

        Assert.Equal(TriggerKind.Push, trigger.Kind);
        Assert.Equal("mike/diaspora", trigger.Repository);
        Assert.Equal("refs/heads/master", trigger.Ref);
        Assert.Equal("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", trigger.Sha);
        Assert.Equal("95790bf891e76fee5e1747ab589903a6a1f80f22", trigger.Before);
        Assert.Equal("jsmith", trigger.Sender);
        Assert.Equal($"gitlab:mike/diaspora:{Deliveries.DeliveryId}", trigger.IdempotencyKey);
    }

    [Fact]
    public void Parse_TagPushHook_IsATriggerOnTheTag_WithoutBefore()
    {
        var trigger = GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Tag Push Hook", Deliveries.Sample("gitlab/tag_push.json"))).Trigger();

        Assert.Equal("refs/tags/v1.0.0", trigger.Ref);
        Assert.Equal("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", trigger.Sha);
        Assert.Null(trigger.Before);
        Assert.Equal("jsmith/example", trigger.Repository);
    }

    [Theory]
    [InlineData("Push Hook", "gitlab/push.json", "branch 'master'")]
    [InlineData("Tag Push Hook", "gitlab/tag_push.json", "tag 'v1.0.0'")]
    public void Parse_Deletion_IsIgnored(string eventName, string sample, string what)
    {
        var payload = Deliveries.Sample(sample);
        payload["after"] = new string('0', 40);
        payload["checkout_sha"] = null;

        Assert.Contains(what, GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, eventName, payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_MergeRequestOpened_IsATriggerOnTheSourceBranch()
    {
        var trigger = GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", Deliveries.Sample("gitlab/merge_request.json"))).Trigger();

        Assert.Equal(TriggerKind.PullRequest, trigger.Kind);
        Assert.Equal("gitlabhq/gitlab-test", trigger.Repository);
        Assert.Equal("refs/heads/ms-viewport", trigger.Ref);
        Assert.Equal("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", trigger.Sha);
        Assert.Equal("root", trigger.Sender);
        Assert.Equal(
            new PullRequestInfo(1, "opened", "master", "ms-viewport", "gitlabhq/gitlab-test", false, null, "MS-Viewport", "user #51"),
            trigger.PullRequest);
    }

    [Fact]
    public void Parse_MergeRequestReopened_IsReopened()
    {
        var payload = Deliveries.Sample("gitlab/merge_request.json");
        payload["object_attributes"]!["action"] = "reopen";

        Assert.Equal("reopened", GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", payload)).Trigger().PullRequest!.Action);
    }

    [Fact]
    public void Parse_MergeRequestUpdatedWithNewCommits_IsASynchronize()
    {
        var payload = Deliveries.Sample("gitlab/merge_request.json");
        payload["object_attributes"]!["action"] = "update";
        payload["object_attributes"]!["oldrev"] = "95790bf891e76fee5e1747ab589903a6a1f80f22";

        Assert.Equal("synchronize", GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", payload)).Trigger().PullRequest!.Action);
    }

    [Fact]
    public void Parse_MergeRequestUpdatedWithoutNewCommits_IsIgnored()
    {
        var payload = Deliveries.Sample("gitlab/merge_request.json");
        payload["object_attributes"]!["action"] = "update";

        Assert.Equal("merge request !1 was updated without new commits",
            GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", payload)).IgnoredReason());
    }

    [Theory]
    [InlineData("close")]
    [InlineData("merge")]
    [InlineData("approved")]
    [InlineData("unapproved")]
    public void Parse_OtherMergeRequestActions_AreIgnored(string action)
    {
        var payload = Deliveries.Sample("gitlab/merge_request.json");
        payload["object_attributes"]!["action"] = action;

        Assert.Contains($"'{action}'", GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", payload)).IgnoredReason());
    }

    [Fact]
    public void Parse_MergeRequest_NamesItsAuthorByLogin_WhenTheAuthorActed_ElseById()
    {
        var byAuthor = Deliveries.Sample("gitlab/merge_request.json");
        byAuthor["object_attributes"]!["author_id"] = 1;
        var bySomeoneElse = Deliveries.Sample("gitlab/merge_request.json");

        Assert.Equal("root", GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", byAuthor)).Trigger().PullRequest!.Author);
        Assert.Equal("user #51", GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", bySomeoneElse)).Trigger().PullRequest!.Author);
    }

    [Fact]
    public void Parse_MergeRequestFromAFork_IsOnTheMergeRequestRef()
    {
        var payload = Deliveries.Sample("gitlab/merge_request.json");
        payload["object_attributes"]!["source_project_id"] = 77;
        payload["object_attributes"]!["source"]!["path_with_namespace"] = "mallory/gitlab-test";

        var trigger = GitLab.Parse(Deliveries.Signed(ForgeKind.GitLab, "Merge Request Hook", payload)).Trigger();

        Assert.True(trigger.IsFork);
        Assert.Equal("refs/merge-requests/1/head", trigger.Ref);
        Assert.Equal("mallory/gitlab-test", trigger.PullRequest!.HeadRepository);
    }

    [Theory]
    [InlineData("Issue Hook")]
    [InlineData("Pipeline Hook")]
    [InlineData("System Hook")]
    [InlineData("push")]
    public void Parse_OtherEvents_AreIgnoredAsUnsupported(string eventName)
    {
        var request = Deliveries.Signed(ForgeKind.GitLab, eventName, Deliveries.Sample("gitlab/push.json"));

        Assert.Equal($"event '{eventName}' is not supported", GitLab.Parse(request).IgnoredReason());
    }
}
