using System.Diagnostics;
using Cairn.Core.Telemetry;

namespace Cairn.Core.Execution;

/// <summary>Spans of the step loop (<c>job.prepare</c>, <c>step</c>): children of the job's span, which is current while
/// the loop runs, named for the job's run and job.</summary>
internal static class StepTrace
{
    public static Activity? Start(string name, JobSpec job) =>
        CairnTelemetry.Source.StartActivity(name, ActivityKind.Internal).Describe(job.RunId, job.JobId, job.Repository);
}
