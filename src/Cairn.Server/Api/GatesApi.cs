using Cairn.Core.Access;
using Cairn.Core.Gates;
using Cairn.Core.Runs;
using Cairn.Server.Access;
using Cairn.Server.Gates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>What a person sends to approve or reject a gate: an optional comment, the commit they looked at (refused
/// when the change moved on since), and the channel it came through, as the audit log names it: <c>api</c> (the default)
/// or <c>cli</c> (what <c>cairn approve --job</c> says).</summary>
public sealed record GateDecisionRequest(string? Comment, string? Sha, string? Channel = null);

/// <summary>A decision on a gate as the API answers it: <c>decided</c> when it ended the gate (the job succeeded, or was
/// rejected), else the gate still waits; <c>jobStatus</c> is the job's status after it.</summary>
public sealed record GateDecisionView(long RunId, long JobId, string Job, bool Decided, string JobStatus, string Summary, string Person, string Channel, string? Sha);

/// <summary>Approval gates through the API: approve or reject a waiting approval job. Anyone signed in who may read the
/// repository may ask; whether they may decide is the gate's own rule (its approvers).</summary>
internal static class GatesApi
{
    /// <summary>The longest comment a decision keeps.</summary>
    public const int LongestComment = 2000;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/runs/{id:long}/jobs/{jobId:long}/approve", (long id, long jobId, GateDecisionRequest? request, Caller caller, GateDecisions decisions, IRunStore runs, CancellationToken ct) =>
                DecideAsync(id, jobId, true, request, caller, decisions, runs, ct))
            .WithName("ApproveGate").ForRunOf(Permission.ReadRuns);
        api.MapPost("/runs/{id:long}/jobs/{jobId:long}/reject", (long id, long jobId, GateDecisionRequest? request, Caller caller, GateDecisions decisions, IRunStore runs, CancellationToken ct) =>
                DecideAsync(id, jobId, false, request, caller, decisions, runs, ct))
            .WithName("RejectGate").ForRunOf(Permission.ReadRuns);
    }

    /// <summary>The comment as kept (trimmed, null when blank), or the problem with it.</summary>
    public static string? CommentProblem(string? comment) =>
        comment is { Length: > LongestComment } || (comment is not null && comment.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            ? $"comment: give at most {LongestComment} characters of text"
            : null;

    private static async Task<IResult> DecideAsync(
        long id, long jobId, bool approve, GateDecisionRequest? request, Caller caller, GateDecisions decisions, IRunStore runs,
        CancellationToken cancellationToken)
    {
        if (caller.User is not { } user)
        {
            return Problems.Unauthorized("sign in (or use an API token) to decide a gate");
        }

        if (CommentProblem(request?.Comment) is { } problem)
        {
            return Problems.Validation([problem]);
        }

        var channel = ApprovalChannel.Api;
        if (request?.Channel is { } said && !(ApprovalChannelNames.TryParse(said, out channel) && channel is ApprovalChannel.Api or ApprovalChannel.Cli))
        {
            return Problems.Validation(["channel: api or cli (the dashboard, forge reviews and trackers decide through their own ways in)"]);
        }

        var decider = new GateDecider(user.Name, caller.Groups, caller.TokenName, caller.ClientAddress);
        var decision = await decisions.DecideAsync(
            id, jobId, decider, channel, approve, request?.Sha?.Trim(), request?.Comment, cancellationToken);
        return await AnswerAsync(id, jobId, decision, runs, cancellationToken);
    }

    /// <summary>A recorded decision is 200 with it; an unknown job 404; a refusal 403 when the person may not decide the
    /// gate, else 409 (the gate is not open, or the change moved on).</summary>
    public static async Task<IResult> AnswerAsync(long id, long jobId, GateDecision decision, IRunStore runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        switch (decision)
        {
            case GateDecision.Recorded recorded:
                var job = await runs.GetJobAsync(jobId, cancellationToken);
                var approval = recorded.Approval;
                return Results.Ok(new GateDecisionView(
                    id, jobId, job?.Name ?? "", recorded.Decided, (job?.Status ?? JobStatus.Waiting).ToWire(), recorded.Summary,
                    approval.Person, approval.Channel.ToWire(), approval.Sha));
            case GateDecision.Refused refused when IsNotEligible(refused.Reason):
                return Problems.Forbidden(refused.Reason, "an approver of the gate");
            case GateDecision.Refused refused:
                return Problems.Conflict(refused.Reason);
            default:
                return Problems.NotFound($"run {id} has no job {jobId}");
        }
    }

    /// <summary>Whether a refusal says the person may not decide (rather than that the gate cannot be decided now).</summary>
    public static bool IsNotEligible(string reason) => reason.Contains(" may not decide ", StringComparison.Ordinal);
}
