using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Triggers;

namespace Cairn.Core.Planning;

/// <summary>Whether a pipeline runs for an event, and why, in words a person reads in the event log.</summary>
public sealed record FilterDecision(bool Run, string Reason);

/// <summary>Pure: a pipeline's <c>on:</c> and an event decide whether a run is planned. The rules are GitHub Actions':
/// <list type="bullet">
/// <item>A push of a branch must match <c>on.push.branches</c> and a push of a tag <c>on.push.tags</c>. With neither
/// list every push runs; with only <c>branches</c>, tag pushes do not run, and with only <c>tags</c>, branch pushes
/// do not run.</item>
/// <item><c>paths</c> must match at least one changed file, in addition to the branch filter; it is not applied to
/// tag pushes (a tag changes no files). Changed files that are unknown (a new branch, a commit not fetched) do not
/// hold a run back.</item>
/// <item>A pull request matches <c>on.pull_request.branches</c> by the branch it wants to merge into, and its
/// <c>paths</c> by the files it changes.</item>
/// <item>Schedules and manual starts run when the pipeline declares them.</item>
/// <item>A tracker's work item matches <c>on.plane</c> when its event is among <c>events</c> and, when <c>labels</c>
/// lists any, it carries one of them (compared ignoring case).</item>
/// <item>A pull-request review matches <c>on.pull_request_review</c> by its state (any, when <c>states</c> is empty) and
/// by the branch the pull request wants to merge into.</item>
/// </list>
/// Each list is read in order, the last matching pattern deciding (see <see cref="Glob"/>).</summary>
public static class TriggerFilter
{
    public static FilterDecision Accepts(TriggerRules on, TriggerEvent trigger, IReadOnlyList<string>? changedPaths)
    {
        ArgumentNullException.ThrowIfNull(on);
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger.Kind switch
        {
            TriggerKind.Push => on.Push is { } push ? Push(push, trigger, changedPaths) : No("the pipeline does not run on push (no on.push)"),
            TriggerKind.PullRequest => on.PullRequest is { } pullRequest
                ? PullRequest(pullRequest, trigger, changedPaths)
                : No("the pipeline does not run on pull requests (no on.pull_request)"),
            TriggerKind.Schedule => on.Schedule.Count > 0 ? Yes("the pipeline runs on a schedule") : No("the pipeline has no on.schedule"),
            TriggerKind.Manual => on.Manual is not null ? Yes("the pipeline may be started by hand") : No("the pipeline cannot be started by hand (no on.manual)"),
            TriggerKind.Tracker => on.Plane is { } plane ? WorkItem(plane, trigger) : No("the pipeline does not run on work items (no on.plane)"),
            TriggerKind.PullRequestReview => on.PullRequestReview is { } review
                ? Review(review, trigger)
                : No("the pipeline does not run on pull-request reviews (no on.pull_request_review)"),
            _ => No($"the pipeline does not run on {trigger.EventName}"),
        };
    }

    private static FilterDecision Push(PushTrigger push, TriggerEvent trigger, IReadOnlyList<string>? changedPaths)
    {
        if (trigger.Tag is { } tag)
        {
            if (push.Tags.Count == 0)
            {
                return push.Branches.Count > 0
                    ? No($"push of tag '{tag}': on.push lists branches and no tags, so tag pushes do not run")
                    : Yes($"push of tag '{tag}': on.push has no tag filter");
            }

            return Glob.Matches(push.Tags, tag)
                ? Yes($"push of tag '{tag}' matches on.push.tags {List(push.Tags)}")
                : No($"push of tag '{tag}' does not match on.push.tags {List(push.Tags)}");
        }

        string what;
        if (trigger.Branch is { } branch)
        {
            what = $"push to '{branch}'";
            if (push.Branches.Count == 0 && push.Tags.Count > 0)
            {
                return No($"{what}: on.push lists tags and no branches, so branch pushes do not run");
            }

            if (push.Branches.Count > 0 && !Glob.Matches(push.Branches, branch))
            {
                return No($"{what} does not match on.push.branches {List(push.Branches)}");
            }
        }
        else
        {
            what = trigger.Ref is { } other ? $"push of '{other}'" : "push";
            if (push.Branches.Count > 0 || push.Tags.Count > 0)
            {
                return No($"{what} is neither a branch nor a tag, and on.push filters on those");
            }
        }

        var matched = push.Branches.Count > 0 ? $"{what} matches on.push.branches {List(push.Branches)}" : $"{what}: on.push has no branch filter";
        return Paths(push.Paths, "on.push.paths", what, matched, changedPaths);
    }

    private static FilterDecision PullRequest(PullRequestTrigger pullRequest, TriggerEvent trigger, IReadOnlyList<string>? changedPaths)
    {
        var baseBranch = trigger.PullRequest?.BaseBranch;
        var what = trigger.PullRequest is { } info ? $"pull request #{info.Number} into '{baseBranch}'" : "pull request";
        string matched;
        if (pullRequest.Branches.Count == 0)
        {
            matched = $"{what}: on.pull_request has no branch filter";
        }
        else if (baseBranch is not null && Glob.Matches(pullRequest.Branches, baseBranch))
        {
            matched = $"{what} matches on.pull_request.branches {List(pullRequest.Branches)}";
        }
        else
        {
            return No($"{what} does not match on.pull_request.branches {List(pullRequest.Branches)}");
        }

        return Paths(pullRequest.Paths, "on.pull_request.paths", what, matched, changedPaths);
    }

    private static FilterDecision WorkItem(PlaneTrigger plane, TriggerEvent trigger)
    {
        if (trigger.WorkItem is not { } item)
        {
            return No("a work-item event without its work item");
        }

        var what = $"work item {item.Key ?? item.Id} ({item.Event})";
        if (!plane.Events.Contains(item.Event, StringComparer.Ordinal))
        {
            return No($"{what}: on.plane.events is {List(plane.Events)}");
        }

        if (plane.Labels.Count == 0)
        {
            return Yes($"{what} matches on.plane.events {List(plane.Events)}; on.plane has no label filter");
        }

        var label = item.Labels.FirstOrDefault(l => plane.Labels.Contains(l, StringComparer.OrdinalIgnoreCase));
        return label is not null
            ? Yes($"{what} carries label '{label}' of on.plane.labels {List(plane.Labels)}")
            : No($"{what} carries none of on.plane.labels {List(plane.Labels)}");
    }

    private static FilterDecision Review(ReviewTrigger review, TriggerEvent trigger)
    {
        var state = trigger.Review?.State;
        var baseBranch = trigger.PullRequest?.BaseBranch;
        var what = trigger.PullRequest is { } info ? $"review ({state}) of pull request #{info.Number} into '{baseBranch}'" : $"review ({state})";
        if (review.States.Count > 0 && (state is null || !review.States.Contains(state, StringComparer.Ordinal)))
        {
            return No($"{what}: on.pull_request_review.states is {List(review.States)}");
        }

        if (review.Branches.Count == 0)
        {
            return Yes($"{what}: on.pull_request_review has no branch filter");
        }

        return baseBranch is not null && Glob.Matches(review.Branches, baseBranch)
            ? Yes($"{what} matches on.pull_request_review.branches {List(review.Branches)}")
            : No($"{what} does not match on.pull_request_review.branches {List(review.Branches)}");
    }

    private static FilterDecision Paths(IReadOnlyList<string> paths, string key, string what, string matched, IReadOnlyList<string>? changedPaths)
    {
        if (paths.Count == 0)
        {
            return Yes(matched);
        }

        if (changedPaths is null)
        {
            return Yes($"{matched}; the changed files are not known, so {key} does not hold it back");
        }

        var taken = Glob.Compile(paths);
        var hit = changedPaths.FirstOrDefault(taken);
        return hit is not null
            ? Yes($"{matched}, and '{hit}' matches {key} {List(paths)}")
            : No(changedPaths.Count == 0
                ? $"{what} changes no files, so none matches {key} {List(paths)}"
                : $"{what} changes no file matching {key} {List(paths)} ({Count(changedPaths.Count)} changed)");
    }

    private static string List(IReadOnlyList<string> patterns) => $"[{string.Join(", ", patterns)}]";

    private static string Count(int files) => files == 1 ? "1 file" : $"{files} files";

    private static FilterDecision Yes(string reason) => new(true, reason);

    private static FilterDecision No(string reason) => new(false, reason);
}
