using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Api;

/// <summary>What a maintainer may say when rejecting a run.</summary>
public sealed record RejectRequest(string? Reason);

/// <summary>Runs that wait for a maintainer (pull requests from forks): approve starts one, reject ends it cancelled.
/// Both are in the audit log, by the admin token (<see cref="AuditActors.Admin"/>) until there are users.</summary>
internal static class ApprovalsApi
{
    /// <summary>The longest reason a rejection keeps.</summary>
    public const int LongestReason = 500;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/runs/{id:long}/approve", ApproveAsync).WithName("ApproveRun").ForRunOf(Permission.Approve);
        api.MapPost("/runs/{id:long}/reject", RejectAsync).WithName("RejectRun").ForRunOf(Permission.Approve);
    }

    private static async Task<IResult> ApproveAsync(long id, RunApprovals approvals, IRunStore store, RunViewContext views, CancellationToken cancellationToken) =>
        await AnswerAsync(id, await approvals.ApproveAsync(id, AuditActors.Admin, cancellationToken), store, views, cancellationToken);

    private static async Task<IResult> RejectAsync(long id, RejectRequest? request, RunApprovals approvals, IRunStore store, RunViewContext views, CancellationToken cancellationToken)
    {
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is not null && (reason.Length > LongestReason || reason.Any(char.IsControl)))
        {
            return Problems.Validation([$"reason: give one line of at most {LongestReason} characters"]);
        }

        return await AnswerAsync(id, await approvals.RejectAsync(id, reason, AuditActors.Admin, cancellationToken), store, views, cancellationToken);
    }

    private static async Task<IResult> AnswerAsync(long id, ApprovalResult result, IRunStore store, RunViewContext views, CancellationToken cancellationToken) => result switch
    {
        ApprovalResult.Done done => Results.Ok(await RunsApi.ViewAsync(store, done.Run, views, cancellationToken)),
        ApprovalResult.NotWaiting refused => Problems.Conflict(refused.Reason),
        _ => Problems.NotFound($"there is no run {id}"),
    };
}
