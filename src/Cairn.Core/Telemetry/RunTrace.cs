using System.Diagnostics;
using Cairn.Core.Runs;

namespace Cairn.Core.Telemetry;

/// <summary>How a run's spans find each other: the run's root span's context travels as W3C traceparent text (in the
/// store, on a lease, in the journal), and every span of the run starts from it, in whichever process it runs.</summary>
public static class RunTrace
{
    /// <summary>The traceparent of the root of the trace <see cref="Activity.Current"/> belongs to: the outermost span
    /// of this process, or the remote span it continues (a webhook's, for the planning of its delivery). Null when no
    /// span is current: nothing listens, and the run is not traced.</summary>
    public static string? Capture()
    {
        var activity = Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || !activity.Recorded)
        {
            return null;
        }

        while (activity.Parent is { } parent)
        {
            activity = parent;
        }

        return activity.ParentId ?? activity.Id;
    }

    /// <summary>The context <paramref name="traceParent"/> names, marked remote; default when it names none.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>The trace id (32 hex digits) of <paramref name="traceParent"/>; null when it names no trace.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        Parse(traceParent) is { TraceId: var id } context && context != default ? id.ToHexString() : null;

    /// <summary>Starts a root span: a new trace, whatever span is current (a framework's request span, say), linked to
    /// the trace of <paramref name="linkTo"/> when given (a rerun's root links to the run it reran).</summary>
    public static Activity? StartRoot(string name, ActivityKind kind, string? linkTo = null)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var link = Parse(linkTo);
            IEnumerable<ActivityLink>? links = link == default ? null : [new ActivityLink(link)];
            return CairnTelemetry.Source.StartActivity(name, kind, default(ActivityContext), links: links);
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = previous;
            }
        }
    }

    /// <summary>Starts a span of the run whose root is <paramref name="traceParent"/>; the current span's child when
    /// there is no context to continue.</summary>
    public static Activity? StartChild(string name, string? traceParent, DateTimeOffset startTime = default)
    {
        var parent = Parse(traceParent);
        return parent == default
            ? CairnTelemetry.Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), startTime: startTime)
            : CairnTelemetry.Source.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime);
    }

    /// <summary>Names the run, job and repository on a span.</summary>
    public static Activity? Describe(this Activity? activity, long? runId, long? jobId = null, string? repository = null)
    {
        if (activity is null)
        {
            return null;
        }

        if (runId is { } run)
        {
            activity.SetTag(CairnTelemetry.Attributes.RunId, run);
        }

        if (jobId is { } job)
        {
            activity.SetTag(CairnTelemetry.Attributes.JobId, job);
        }

        if (repository is not null)
        {
            activity.SetTag(CairnTelemetry.Attributes.Repository, repository);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the failure's class (and its detail as the status's description).</summary>
    public static void Fail(this Activity? activity, FailureClass? failureClass, string? detail)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, detail ?? failureClass?.ToWire());
        if (failureClass is { } found)
        {
            activity.SetTag("error.type", found.ToWire());
        }
    }

    /// <summary>Records a job's or step's status on its span, marking it failed unless it succeeded or was skipped.</summary>
    public static void Conclude(this Activity? activity, string status, FailureClass? failureClass, string? detail)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(CairnTelemetry.Attributes.Status, status);
        if (status is "failed" or "cancelled" or "timed_out")
        {
            activity.Fail(failureClass, detail);
        }
    }
}
