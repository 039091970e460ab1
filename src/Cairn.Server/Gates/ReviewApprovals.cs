using Cairn.Core.Access;
using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Gates;

/// <summary>A forge review approving a pull request, as an approval of the open gates it concerns: those of the
/// repository's runs that the pull request triggered, or whose publish job opened it. The reviewer is the Cairn user of
/// the same name as their forge login; an unknown reviewer is logged and passed over. The approval binds to the commit the
/// reviewer saw, so a review of an older commit is refused (and audited) like any approval of a change that moved on.</summary>
public sealed partial class ReviewApprovals(
    IApprovalStore gates,
    IRunStore runs,
    IUserStore users,
    GateDecisions decisions,
    IEnumerable<IPullRequestStore> pullRequests,
    ILogger<ReviewApprovals> log)
{
    /// <summary>Decides every open gate the review approves; answers how many decisions were recorded.</summary>
    public async Task<int> ApproveGatesAsync(TriggerEvent review, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (review is not { Kind: TriggerKind.PullRequestReview, Review.State: "approved", PullRequest: { } pull, Repository: { } repository })
        {
            return 0;
        }

        var open = (await gates.GetOpenGatesAsync(cancellationToken))
            .Where(g => string.Equals(g.Repository, repository, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (open.Count == 0)
        {
            return 0;
        }

        if (await users.GetUserAsync(review.Review.Reviewer, cancellationToken) is not { Disabled: false } user)
        {
            LogUnknownReviewer(log, review.Review.Reviewer, pull.Number, repository);
            return 0;
        }

        var recorded = 0;
        foreach (var gate in open)
        {
            if (!await ConcernsAsync(gate, pull.Number, cancellationToken))
            {
                continue;
            }

            var decision = await decisions.DecideAsync(
                gate.RunId, gate.JobId, new GateDecider(user.Name, []), ApprovalChannel.ForgeReview, true, review.Review.Sha, review.Review.Body,
                cancellationToken);
            if (decision is GateDecision.Recorded)
            {
                recorded++;
            }
            else if (decision is GateDecision.Refused refused)
            {
                LogRefused(log, user.Name, gate.JobId, gate.RunId, refused.Reason);
            }
        }

        return recorded;
    }

    private async Task<bool> ConcernsAsync(GateRecord gate, int number, CancellationToken cancellationToken)
    {
        var run = await runs.GetRunAsync(gate.RunId, cancellationToken);
        if (run?.Trigger?.PullRequest?.Number == number)
        {
            return true;
        }

        var stores = pullRequests.ToList();
        if (stores.Count == 0 && gates is IPullRequestStore kept)
        {
            stores.Add(kept);
        }

        foreach (var store in stores)
        {
            try
            {
                if ((await store.GetPullRequestsAsync(gate.RunId, cancellationToken)).Any(p => p.Number == number))
                {
                    return true;
                }
            }
            catch (NotSupportedException)
            {
                // A store that keeps no pull requests yet: only runs the pull request triggered are its.
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "a review by {Reviewer} approving pull request #{Number} of {Repository} approves no gate: no Cairn user has that name")]
    private static partial void LogUnknownReviewer(ILogger logger, string reviewer, int number, string repository);

    [LoggerMessage(Level = LogLevel.Information, Message = "a review by {Person} did not approve gate job {Job} of run {Run}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string person, long job, long run, string reason);
}
