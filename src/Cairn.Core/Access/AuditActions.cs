namespace Cairn.Core.Access;

/// <summary>The actions the audit log names: what a person (or a job, for secret reads) did. Filters match them exactly.</summary>
public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignInFailed = "sign-in.failed";
    public const string SignOut = "sign-out";
    public const string TokenRefused = "token.refused";
    public const string UserAdded = "user.added";
    public const string UserChanged = "user.changed";
    public const string UserRemoved = "user.removed";
    public const string MemberGranted = "member.granted";
    public const string MemberRemoved = "member.removed";
    public const string TeamGranted = "team.granted";
    public const string TeamRemoved = "team.removed";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string RepositoryAdded = "repo.added";
    public const string RepositoryChanged = "repo.changed";
    public const string RepositoryRemoved = "repo.removed";
    public const string RunTriggered = "run.triggered";
    public const string RunCancelled = "run.cancelled";
    public const string RunRerun = "run.rerun";
    public const string WorkerAdded = "worker.add";
    public const string WorkerPaused = "worker.pause";
    public const string WorkerResumed = "worker.resume";
    public const string WorkerRemoved = "worker.remove";

    /// <summary>A gate approved (or an approval refused: outcome denied), its channel and comment in the detail.</summary>
    public const string GateApproved = "gate.approve";

    /// <summary>A gate rejected (or a rejection refused: outcome denied), its channel and comment in the detail.</summary>
    public const string GateRejected = "gate.reject";

    /// <summary>An artifact read: one file (its path the target) or a job's zip (target <c>*</c>).</summary>
    public const string ArtifactDownload = "artifact.download";
}

/// <summary>How an audited action ended.</summary>
public static class AuditOutcomes
{
    public const string Ok = "ok";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
