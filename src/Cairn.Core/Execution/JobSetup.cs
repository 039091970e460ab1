using Cairn.Core.Runs;

namespace Cairn.Core.Execution;

/// <summary>How preparing a job's environment went: ready, or failed as <c>config</c> (the job asks for what this
/// executor cannot give) or <c>infra</c> (the executor or its engine could not do its part).</summary>
public sealed record JobSetup
{
    private JobSetup(bool isReady, FailureClass? failureClass, string? detail, bool reportsSteps)
    {
        IsReady = isReady;
        FailureClass = failureClass;
        Detail = detail;
        ReportsSteps = reportsSteps;
    }

    /// <summary>The environment is ready for the steps.</summary>
    public static JobSetup Ready { get; } = new(true, null, null, true);

    public bool IsReady { get; }

    /// <summary>Config or infra when the setup failed.</summary>
    public FailureClass? FailureClass { get; }

    /// <summary>Why the setup failed, for a person to act on.</summary>
    public string? Detail { get; }

    /// <summary>Whether the job's steps are reported (as skipped) after a failed setup; otherwise only the job's failure is.</summary>
    public bool ReportsSteps { get; }

    /// <summary>The job never got going (refused, or its session could not be opened): no step is reported.</summary>
    public static JobSetup NotStarted(FailureClass failureClass, string detail) => Failure(failureClass, detail, reportsSteps: false);

    /// <summary>The job's environment could not be made: every step is reported skipped.</summary>
    public static JobSetup Failed(FailureClass failureClass, string detail) => Failure(failureClass, detail, reportsSteps: true);

    private static JobSetup Failure(FailureClass failureClass, string detail, bool reportsSteps)
    {
        ArgumentException.ThrowIfNullOrEmpty(detail);
        if (failureClass is not (Runs.FailureClass.Config or Runs.FailureClass.Infra))
        {
            throw new ArgumentOutOfRangeException(nameof(failureClass), failureClass, "a setup fails as config or infra");
        }

        return new JobSetup(false, failureClass, detail, reportsSteps);
    }
}
