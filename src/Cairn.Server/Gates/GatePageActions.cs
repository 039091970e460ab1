using Cairn.Core.Access;
using Cairn.Core.Gates;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Gates;

/// <summary>What the dashboard's Approve and Reject buttons post to: checks the anti-forgery token (400 without it),
/// decides the gate through the dashboard channel as the signed-in person, bound to the commit the page showed, and
/// redirects back to the job's (or the run's) page with what became of it — a refusal as a message, never a stack trace.</summary>
internal static class GatePageActions
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/runs/{id:long}/jobs/{jobId:long}").ExcludeFromDescription();
        jobs.MapPost("/approve", (long id, long jobId, HttpContext context, IAntiforgery antiforgery, GateDecisions decisions) =>
            DecideAsync(id, jobId, true, context, antiforgery, decisions)).ForRunOf(Permission.ReadRuns);
        jobs.MapPost("/reject", (long id, long jobId, HttpContext context, IAntiforgery antiforgery, GateDecisions decisions) =>
            DecideAsync(id, jobId, false, context, antiforgery, decisions)).ForRunOf(Permission.ReadRuns);
    }

    private static async Task<IResult> DecideAsync(long id, long jobId, bool approve, HttpContext context, IAntiforgery antiforgery, GateDecisions decisions)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Text("The form carried no valid anti-forgery token: reload the page and try again.\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var back = string.Equals(form["back"], "run", StringComparison.Ordinal) ? $"/runs/{id}" : $"/runs/{id}/jobs/{jobId}";
        var caller = context.GetCaller();
        if (caller.User is not { } user)
        {
            return Results.Redirect("/login");
        }

        var comment = form["comment"].ToString();
        if (GatesApi.CommentProblem(comment) is { } problem)
        {
            return Back(back, problem);
        }

        var sha = form["sha"].ToString();
        var decision = await decisions.DecideAsync(
            id, jobId, new GateDecider(user.Name, caller.Groups, caller.TokenName, caller.ClientAddress), ApprovalChannel.Dashboard, approve,
            sha.Length > 0 ? sha : null, comment, context.RequestAborted);
        return decision switch
        {
            GateDecision.Recorded recorded => Back(back, recorded.Summary),
            GateDecision.Refused refused => Back(back, refused.Reason),
            _ => Results.NotFound(),
        };
    }

    private static IResult Back(string page, string notice) => Results.Redirect(page + QueryString.Create("notice", notice));
}
