using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.GitLab;

/// <summary>GitLab's <c>Pipeline Hook</c> (docs.gitlab.com/user/project/integrations/webhook_events, pipeline events):
/// <c>object_attributes.status</c> (created, waiting_for_resource, preparing, pending, running, success, failed,
/// canceled, skipped, manual, scheduled), <c>object_attributes.sha</c> and <c>object_attributes.id</c>.</summary>
internal static class GitLabChecks
{
    public static WebhookEvent Pipeline(WebhookRequest request)
    {
        using var document = WebhookBody.Open(request);

        // The body names its own kind; a pipeline header over a body of another kind is not a pipeline event.
        if (document.RootElement.Text("object_kind") != "pipeline")
        {
            return WebhookEvents.Unsupported("Pipeline Hook");
        }

        var attributes = document.RootElement.At("object_attributes") ?? throw new WebhookFormatException("'object_attributes' is missing");
        var status = attributes.Text("status");
        var mapped = status switch
        {
            "created" or "waiting_for_resource" or "preparing" or "pending" or "running" or "scheduled" => CheckStates.Pending,
            "success" => CheckStates.Passing,
            "failed" or "canceled" or "canceling" => CheckStates.Failing,
            _ => null,
        };
        var id = attributes.Number("id");
        return CheckStates.Event("pipeline", attributes.Text("sha"), mapped, CheckStates.Detail(id is null ? "pipeline" : $"pipeline {id}", status));
    }
}
