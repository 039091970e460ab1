using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Execution;

/// <summary>Whether a step's <c>if:</c> holds, for every executor: no condition means success().</summary>
public static class StepCondition
{
    public static bool ShouldRun(JobSpec job, StepSpec step, bool anyFailed, bool cancelled, out string? invalid)
    {
        invalid = null;
        if (string.IsNullOrWhiteSpace(step.Condition))
        {
            return !anyFailed && !cancelled;
        }

        try
        {
            return ExpressionEngine.EvaluateCondition(step.Condition, job.Context, new StatusContext(anyFailed, cancelled));
        }
        catch (Exception error)
        {
            invalid = error.Message;
            return false;
        }
    }
}
