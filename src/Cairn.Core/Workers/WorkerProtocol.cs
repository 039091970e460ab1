using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Workers;

/// <summary>The paths of the calls a worker makes to its server over HTTP, each with the worker's bearer token. The
/// server and <c>cairn worker --server</c> both name them from here, so the two cannot drift apart.</summary>
public static class WorkerPaths
{
    /// <summary><c>POST</c> a <see cref="LeaseRequest"/>: a long poll that answers 200 with a <see cref="LeaseGrant"/> as soon
    /// as a job with the worker's labels is queued, or 204 when none was within the request's wait.</summary>
    public const string Lease = "/api/v1/worker/lease";

    /// <summary>Everything about one lease lives under this prefix; the server refuses a lease that is not this worker's
    /// (404) and one that has ended or passed to another worker (409 with <see cref="WorkerProblems.LeaseLost"/>).</summary>
    public static string OfLease(Guid leaseId) => $"/api/v1/worker/leases/{leaseId:D}";

    /// <summary><c>POST</c>: extends the lease; answers a <see cref="HeartbeatAnswer"/>.</summary>
    public static string Heartbeat(Guid leaseId) => $"{OfLease(leaseId)}/heartbeat";

    /// <summary><c>GET ?wait=SECONDS</c>: a long poll that answers a <see cref="HeartbeatAnswer"/> once the job's run is
    /// asked to cancel, or after the wait with the state it has then. It extends nothing.</summary>
    public static string Cancel(Guid leaseId) => $"{OfLease(leaseId)}/cancel";

    /// <summary><c>POST</c> a <see cref="LogBatch"/>: answers a <see cref="LogAck"/>. Lines the server already has are
    /// skipped, so a batch sent twice is stored once.</summary>
    public static string Log(Guid leaseId) => $"{OfLease(leaseId)}/log";

    /// <summary><c>POST</c> a <see cref="StepReport"/> (a step started or ended): 204. Writing one twice changes nothing.</summary>
    public static string Steps(Guid leaseId) => $"{OfLease(leaseId)}/steps";

    /// <summary><c>POST</c>: the values of the secrets the job declares, each read audited: a <see cref="SecretGrant"/>.</summary>
    public static string Secrets(Guid leaseId) => $"{OfLease(leaseId)}/secrets";

    /// <summary><c>POST</c> a <see cref="CompletionReport"/>: ends the lease (compare-and-set on its id) and moves the run
    /// on; answers a <see cref="CompletionAnswer"/>. Sent again after a lost answer, it answers as the first did.</summary>
    public static string Complete(Guid leaseId) => $"{OfLease(leaseId)}/complete";

    /// <summary><c>POST</c> a <see cref="WaitingReport"/>: why the job's executor cannot start it yet (null: it is under
    /// way), kept as the job's pending reason while the lease holds it: 204. Only the latest one sent counts.</summary>
    public static string Waiting(Guid leaseId) => $"{OfLease(leaseId)}/waiting";

    /// <summary><c>POST</c> a <see cref="LiveLeasesRequest"/> (at most <see cref="LiveLeasesRequest.MaxLeases"/> ids, else
    /// 400): answers a <see cref="LiveLeasesAnswer"/> with those that still hold their job, whichever worker holds them.</summary>
    public const string LiveLeases = "/api/v1/worker/leases/live";

    /// <summary>Where a repository's source is served over git's smart HTTP protocol (fetch only), to the bearer of a
    /// lease's <see cref="LeaseGrant.SourceToken"/>: <c>/git/{repository}.git</c>.</summary>
    public static string Git(string repository) => $"/git/{repository}.git";

    /// <summary>The header that carries the worker's own version on every call.</summary>
    public const string VersionHeader = "Cairn-Worker-Version";
}

/// <summary>The <c>type</c> of the problem+json answers a worker acts on.</summary>
public static class WorkerProblems
{
    /// <summary>409: the lease has ended or passed to another worker: stop the job, and nothing more of it is taken.</summary>
    public const string LeaseLost = "urn:cairn:worker:lease-lost";

    /// <summary>403: the worker is paused (no new jobs; calls for the leases it holds still work).</summary>
    public const string Paused = "urn:cairn:worker:paused";
}

/// <summary>A worker asks for a job. <see cref="Instance"/> is random per worker process and <see cref="Slot"/> one of its
/// concurrent places; together they name the lease's owner (<c>NAME/INSTANCE/SLOT</c>). A slot asks only while it holds no
/// lease, so when the server finds a running job already leased to that owner, the answer to an earlier ask was lost on
/// the way: it hands the same lease back instead of leasing a second job. <see cref="Labels"/> are those the process
/// offers, among its identity's; null: every label of its identity.</summary>
public sealed record LeaseRequest(string Instance, int Slot, IReadOnlyList<string>? Labels, int WaitSeconds);

/// <summary>A leased job, with what the worker needs to run it and nothing more.</summary>
/// <param name="LastSequence">The highest log line number the job has already (from earlier attempts); the attempt's
/// lines go on from it.</param>
/// <param name="SourceToken">The bearer token for <see cref="SourcePath"/>: good for the run's repository only, while this
/// lease lives.</param>
/// <param name="SourcePath">The run's repository on the server (<see cref="WorkerPaths.Git"/>), null for a run without
/// one.</param>
/// <param name="HeartbeatSeconds">How often the server wants the lease extended (a third of the lease or less).</param>
public sealed record LeaseGrant(
    Guid LeaseId,
    string WorkerId,
    int Attempt,
    DateTimeOffset ExpiresAt,
    WireJob Job,
    WireRun Run,
    long LastSequence,
    string SourceToken,
    string? SourcePath,
    int HeartbeatSeconds)
{
    /// <summary>The W3C traceparent of the run's root span: the worker's spans of the job join the run's trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>When the job was last queued, for the span of its wait; null when the server did not say.</summary>
    public DateTimeOffset? QueuedAt { get; init; }
}

/// <summary>A <see cref="JobRecord"/> as it travels.</summary>
public sealed record WireJob(
    long Id,
    long RunId,
    string Name,
    string Key,
    IReadOnlyList<string> Needs,
    IReadOnlyList<string> Labels,
    JobStatus Status,
    int Attempt,
    string Definition)
{
    public static WireJob From(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Id, job.RunId, job.Name, job.Key, job.Needs, job.Labels, job.Status, job.Attempt, job.Definition);
    }

    public JobRecord ToRecord() => new(Id, RunId, Name, Key, Needs, Labels, Status, Attempt, null, null, null, null, null, Definition);
}

/// <summary>A <see cref="RunRecord"/> as it travels: what a job's environment is built from.</summary>
public sealed record WireRun(
    long Id,
    long Number,
    string PipelineName,
    string Event,
    string? Ref,
    string? Sha,
    string? Repository,
    RunStatus Status,
    DateTimeOffset CreatedAt,
    bool CancelRequested,
    string? CancelReason,
    string? Trigger)
{
    public static WireRun From(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(
            run.Id, run.Number, run.PipelineName, run.Event, run.Ref, run.Sha, run.Repository, run.Status, run.CreatedAt,
            run.CancelRequested, run.CancelReason, run.Trigger is { } trigger ? TriggerEventJson.Serialize(trigger) : null);
    }

    public RunRecord ToRecord() => new(Id, PipelineName, Event, Ref, Sha, Repository, Status, CreatedAt, null, null)
    {
        Number = Number,
        CancelRequested = CancelRequested,
        CancelReason = CancelReason,
        Trigger = Trigger is { } json ? TriggerEventJson.Deserialize(json) : null,
    };
}

/// <summary>What a heartbeat (or the cancel long poll) found.</summary>
public sealed record HeartbeatAnswer(LeaseState State, DateTimeOffset? ExpiresAt, string? CancelReason);

/// <summary>Log lines of one lease, numbered by the worker (<see cref="First"/> is the first line's number, the rest follow
/// one by one). The server masks them again with the job's secrets and the repository's own tokens before it stores them.</summary>
public sealed record LogBatch(long First, IReadOnlyList<WireLogLine> Lines);

/// <summary>One numbered line of a batch; its number is the batch's <see cref="LogBatch.First"/> plus its place.</summary>
public sealed record WireLogLine(int Step, LogStream Stream, DateTimeOffset At, string Text);

/// <summary>The highest line number the job's log holds once the batch is taken.</summary>
public sealed record LogAck(long Stored);

/// <summary>A step started (status running) or ended.</summary>
public sealed record StepReport(int Index, string Name, StepStatus Status, int? ExitCode, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>The job's declared secrets (by name), or why the run gets none (a pull request from a fork).</summary>
public sealed record SecretGrant(IReadOnlyDictionary<string, string> Values, string? Refusal);

/// <summary>How the attempt ended, as <see cref="JobCompletion"/>.</summary>
public sealed record CompletionReport(
    JobStatus Status,
    int? ExitCode,
    FailureClass? FailureClass,
    string? Detail,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    DateTimeOffset? RetryAt)
{
    /// <summary>The kind of executor that ran the attempt, for the server's metrics (optional; older workers send none).</summary>
    public string? Executor { get; init; }

    /// <summary>When the attempt's first step started, for the server's metrics (optional).</summary>
    public DateTimeOffset? FirstStepAt { get; init; }

    /// <summary>When the job was queued before the lease, as the grant said (optional).</summary>
    public DateTimeOffset? QueuedAt { get; init; }

    public static CompletionReport From(JobCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return new(completion.Status, completion.ExitCode, completion.FailureClass, completion.Detail, completion.StartedAt, completion.FinishedAt, completion.RetryAt)
        {
            Executor = completion.Executor,
            FirstStepAt = completion.FirstStepAt,
            QueuedAt = completion.QueuedAt,
        };
    }

    public JobCompletion ToCompletion() => new(Status, ExitCode, FailureClass, Detail, StartedAt, FinishedAt, RetryAt)
    {
        Executor = Telemetry.CairnMeasurements.Executor(Executor),
        FirstStepAt = FirstStepAt,
        QueuedAt = QueuedAt,
    };
}

/// <summary>Whether the outcome is the job's now (false: the lease had passed on, and nothing was written).</summary>
public sealed record CompletionAnswer(bool Written);

/// <summary>Why the job's executor cannot start it yet; null once it is under way.</summary>
public sealed record WaitingReport(string? Reason)
{
    /// <summary>The longest reason kept; a longer one is cut to it.</summary>
    public const int MaxLength = 1000;
}

/// <summary>Lease ids a worker asks about (a janitor's, before it removes what a lease left).</summary>
public sealed record LiveLeasesRequest(IReadOnlyList<Guid> LeaseIds)
{
    /// <summary>The most ids one request may ask about.</summary>
    public const int MaxLeases = 500;
}

/// <summary>The ids among those asked about whose lease still holds its job.</summary>
public sealed record LiveLeasesAnswer(IReadOnlyList<Guid> Live);

/// <summary>The one JSON shape of the worker protocol: camelCase names, enums as lower-case words.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(LeaseGrant))]
[JsonSerializable(typeof(HeartbeatAnswer))]
[JsonSerializable(typeof(LogBatch))]
[JsonSerializable(typeof(LogAck))]
[JsonSerializable(typeof(StepReport))]
[JsonSerializable(typeof(SecretGrant))]
[JsonSerializable(typeof(CompletionReport))]
[JsonSerializable(typeof(CompletionAnswer))]
[JsonSerializable(typeof(WaitingReport))]
[JsonSerializable(typeof(LiveLeasesRequest))]
[JsonSerializable(typeof(LiveLeasesAnswer))]
public sealed partial class WorkerProtocolJson : JsonSerializerContext;
