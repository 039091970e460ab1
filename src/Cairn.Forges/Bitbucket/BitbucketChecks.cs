using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Bitbucket;

/// <summary>Bitbucket Cloud's <c>repo:commit_status_created</c> and <c>repo:commit_status_updated</c>
/// (support.atlassian.com/bitbucket-cloud/docs/event-payloads): <c>commit_status.state</c> (INPROGRESS, SUCCESSFUL,
/// FAILED, STOPPED), <c>commit_status.key</c> or <c>name</c>, and the commit as <c>commit_status.commit.hash</c> or at
/// the end of <c>commit_status.links.commit.href</c>.</summary>
internal static class BitbucketChecks
{
    public static WebhookEvent CommitStatus(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);
        var status = document.RootElement.At("commit_status") ?? throw new WebhookFormatException("'commit_status' is missing");
        var state = status.Text("state");
        var mapped = state switch
        {
            "INPROGRESS" => CheckStates.Pending,
            "SUCCESSFUL" => CheckStates.Passing,
            "FAILED" or "STOPPED" => CheckStates.Failing,
            _ => null,
        };
        var sha = status.Text("commit", "hash") ?? LastSegment(status.Text("links", "commit", "href"));
        return CheckStates.Event("commit status", sha, mapped, CheckStates.Detail(status.Text("name") ?? status.Text("key"), state?.ToLowerInvariant()));
    }

    private static string? LastSegment(string? href) =>
        href is { Length: > 0 } ? href.TrimEnd('/')[(href.TrimEnd('/').LastIndexOf('/') + 1)..] : null;
}
